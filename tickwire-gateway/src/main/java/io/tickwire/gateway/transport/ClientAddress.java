package io.tickwire.gateway.transport;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * The address of the client behind a connection, resolved once per connection and kept as a channel
 * attribute, so that limits, logs and sessions all see the same one. It starts as the socket's peer; a
 * PROXY protocol header ({@link ProxyHeaderReader}) or a trusted proxy's {@code X-Forwarded-For}
 * ({@link ForwardedFor}) replaces it before the first request is handled.
 */
public final class ClientAddress {

    public static final AttributeKey<ClientAddress> KEY = AttributeKey.valueOf("tickwire.client-address");

    private static final String UNKNOWN = "unknown";

    private final InetAddress address; // null when the peer is not an IP socket
    private final String text;
    private final long limitKey;

    private ClientAddress(InetAddress address) {
        this.address = address;
        this.text = address == null ? UNKNOWN : NetUtil.toAddressString(address);
        this.limitKey = address == null ? 0 : limitKey(address.getAddress());
    }

    /** The client address of {@code channel} as text ({@code 203.0.113.7}, {@code 2001:db8::1}), or "unknown". */
    public static String of(Channel channel) {
        return get(channel).text;
    }

    /** The resolved address of {@code channel}; the socket's peer if nothing was resolved yet. */
    static ClientAddress get(Channel channel) {
        ClientAddress a = channel.attr(KEY).get();
        return a != null ? a : fromPeer(channel.remoteAddress());
    }

    /** Records the socket's peer as the client address: the start of every connection. */
    static void setPeer(Channel channel) {
        channel.attr(KEY).set(fromPeer(channel.remoteAddress()));
    }

    /** Records {@code address} as the client address of {@code channel}. */
    static void set(Channel channel, InetAddress address) {
        channel.attr(KEY).set(new ClientAddress(address));
    }

    private static ClientAddress fromPeer(SocketAddress peer) {
        return new ClientAddress(peer instanceof InetSocketAddress inet ? inet.getAddress() : null);
    }

    /** The address, or null if the peer is not an IP socket. */
    InetAddress address() {
        return address;
    }

    /**
     * The key its per-address handshake bucket is kept under: the IPv4 address, or the /64 prefix of an
     * IPv6 address (what one site or host is usually given, so one host cannot multiply its allowance).
     */
    long limitKey() {
        return limitKey;
    }

    private static long limitKey(byte[] a) {
        long key = 0;
        int n = a.length == 4 ? 4 : 8;
        for (int i = 0; i < n; i++) {
            key = key << 8 | (a[i] & 0xff);
        }
        // IPv4 keys could meet only the /64s of 0:1::/32, which is unassigned
        return a.length == 4 ? key | 1L << 32 : key;
    }

    @Override
    public String toString() {
        return text;
    }
}
