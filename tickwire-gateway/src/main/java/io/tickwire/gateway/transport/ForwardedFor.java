package io.tickwire.gateway.transport;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.tickwire.gateway.config.AddressRange;
import java.net.InetAddress;
import java.util.List;

/**
 * With {@code server.trusted-proxies}, takes the client address from {@code X-Forwarded-For} when the
 * connection comes from a trusted proxy: the rightmost entry that is not itself a trusted proxy (entries
 * to its left were written by the client and prove nothing). Read from the connection's first request
 * only, since the address is resolved once per connection; sits right after the HTTP decoder and leaves
 * the pipeline at that request. A header that is malformed anywhere right of that entry leaves the
 * proxy's own address; so does a request from an untrusted peer, whatever it sends.
 */
@Sharable
final class ForwardedFor extends ChannelInboundHandlerAdapter {

    static final String HEADER = "X-Forwarded-For";

    private final List<AddressRange> trusted;

    ForwardedFor(List<AddressRange> trusted) {
        this.trusted = trusted;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest req) {
            InetAddress peer = ClientAddress.get(ctx.channel()).address();
            if (peer != null && isTrusted(peer, trusted)) {
                List<String> values = req.headers().getAll(HEADER);
                InetAddress client = values.isEmpty() ? null : client(String.join(",", values), trusted);
                if (client != null) {
                    ClientAddress.set(ctx.channel(), client);
                }
            }
            ctx.pipeline().remove(this);
        }
        ctx.fireChannelRead(msg);
    }

    /**
     * The client named by an {@code X-Forwarded-For} value (every header line joined by commas, in order)
     * that reached a trusted proxy: the rightmost entry not in {@code trusted}, or the leftmost if all are;
     * null if an entry examined is not an IP literal (an IPv4 one may carry a port: {@code 192.0.2.1:4711}).
     */
    static InetAddress client(String header, List<AddressRange> trusted) {
        InetAddress found = null;
        int end = header.length();
        while (end >= 0) {
            int comma = header.lastIndexOf(',', end - 1);
            String entry = header.substring(comma + 1, end).strip();
            InetAddress address = entry(entry);
            if (address == null) {
                return null;
            }
            found = address;
            if (!isTrusted(address, trusted)) {
                return address;
            }
            if (comma < 0) {
                break;
            }
            end = comma;
        }
        return found;
    }

    private static InetAddress entry(String entry) {
        int colon = entry.indexOf(':');
        if (colon > 0 && entry.indexOf(':', colon + 1) < 0) {
            entry = entry.substring(0, colon); // IPv4 with a port; IPv6 has more than one colon
        } else if (entry.startsWith("[") && entry.contains("]")) {
            entry = entry.substring(1, entry.indexOf(']')); // [IPv6] or [IPv6]:port
        }
        return AddressRange.parseLiteral(entry);
    }

    static boolean isTrusted(InetAddress address, List<AddressRange> trusted) {
        for (AddressRange range : trusted) {
            if (range.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
