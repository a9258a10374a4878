package io.tickwire.bench.client;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * The local addresses bench connections are bound to: connection i from 127.0.0.(1 + i mod N), so that the
 * gateway's per-address handshake limit sees N clients rather than one, and so that N × 28,000 ephemeral ports
 * are available. Linux routes all of 127.0.0.0/8 to the loopback interface, so this needs no set-up, and works
 * for loopback targets only. N = 0 leaves the choice to the kernel.
 */
public final class SourceAddresses {

    /** 127.0.0.1 .. 127.0.0.254. */
    public static final int MAX = 254;

    private final InetSocketAddress[] addresses;

    private SourceAddresses(InetSocketAddress[] addresses) {
        this.addresses = addresses;
    }

    /** {@code count} addresses for connections to {@code remote}; 0 = no binding. */
    public static SourceAddresses forTarget(InetSocketAddress remote, int count) {
        if (count < 0 || count > MAX) {
            throw new IllegalArgumentException("--source-ips must be 0 to " + MAX + ": " + count);
        }
        if (count > 0 && (remote.getAddress() == null || !remote.getAddress().isLoopbackAddress())) {
            throw new IllegalArgumentException("--source-ips needs a loopback target (127.x.x.x), not " + remote
                    + "; use --source-ips 0 for other targets");
        }
        InetSocketAddress[] addresses = new InetSocketAddress[count];
        for (int i = 0; i < count; i++) {
            try {
                addresses[i] = new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (i + 1)}), 0);
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e); // never: four bytes are a valid address
            }
        }
        return new SourceAddresses(addresses);
    }

    /** The local address of connection {@code index}, or null to let the kernel choose. */
    public InetSocketAddress forIndex(int index) {
        return addresses.length == 0 ? null : addresses[index % addresses.length];
    }

    public int count() {
        return addresses.length;
    }
}
