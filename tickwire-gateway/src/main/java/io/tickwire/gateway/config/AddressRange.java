package io.tickwire.gateway.config;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IP address range written as a CIDR ({@code 10.0.0.0/8}, {@code fd00::/8}) or as one address
 * ({@code 192.0.2.7} = {@code /32}, {@code ::1} = {@code /128}), as listed in {@code server.trusted-proxies}.
 * Only IP literals are accepted: parsing never resolves a host name. An IPv4-mapped IPv6 address
 * ({@code ::ffff:10.1.2.3}) is the IPv4 address it maps, on both sides of a match.
 */
public final class AddressRange {

    private final byte[] network;
    private final int prefixBits;
    private final String text;

    private AddressRange(byte[] network, int prefixBits, String text) {
        this.network = network;
        this.prefixBits = prefixBits;
        this.text = text;
    }

    /**
     * Parses {@code cidr}; throws {@link IllegalArgumentException} saying what is wrong. Host bits set
     * below the prefix ({@code 10.1.2.3/8}) are an error: such a line is usually a typo for a /32.
     */
    public static AddressRange parse(String cidr) {
        if (cidr == null || cidr.isEmpty()) {
            throw new IllegalArgumentException("cidr must not be empty");
        }
        int slash = cidr.indexOf('/');
        String host = slash < 0 ? cidr : cidr.substring(0, slash);
        byte[] address = literal(host);
        if (address == null) {
            throw new IllegalArgumentException("not an IP address: " + host);
        }
        int maxBits = address.length * 8;
        int bits = maxBits;
        if (slash >= 0) {
            String prefix = cidr.substring(slash + 1);
            try {
                bits = Integer.parseInt(prefix);
            } catch (NumberFormatException e) {
                bits = -1;
            }
            if (bits < 0 || bits > maxBits || prefix.length() > 3) {
                throw new IllegalArgumentException("prefix length must be 0 to " + maxBits + ", got " + prefix);
            }
        }
        for (int bit = bits; bit < maxBits; bit++) {
            if ((address[bit >> 3] & (0x80 >> (bit & 7))) != 0) {
                throw new IllegalArgumentException("address has bits set beyond the /" + bits + " prefix");
            }
        }
        return new AddressRange(address, bits, cidr);
    }

    /** Whether {@code address} lies in this range (an address of the other family never does). */
    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        if (a.length != network.length) {
            return false;
        }
        int full = prefixBits >> 3;
        for (int i = 0; i < full; i++) {
            if (a[i] != network[i]) {
                return false;
            }
        }
        int rest = prefixBits & 7;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (a[full] & mask) == (network[full] & mask);
    }

    /**
     * The address written as the IP literal {@code text} (IPv4 or IPv6, IPv4-mapped ones as IPv4), or
     * null if it is not one. Never a DNS lookup.
     */
    public static InetAddress parseLiteral(String text) {
        byte[] bytes = literal(text);
        if (bytes == null) {
            return null;
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException impossible) {
            return null;
        }
    }

    private static byte[] literal(String text) {
        if (!NetUtil.isValidIpV4Address(text) && !NetUtil.isValidIpV6Address(text)) {
            return null;
        }
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(text);
        if (bytes == null) {
            return null;
        }
        if (bytes.length == 16 && isIpv4Mapped(bytes)) {
            byte[] v4 = new byte[4];
            System.arraycopy(bytes, 12, v4, 0, 4);
            return v4;
        }
        return bytes;
    }

    private static boolean isIpv4Mapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    }

    @Override
    public String toString() {
        return text;
    }
}
