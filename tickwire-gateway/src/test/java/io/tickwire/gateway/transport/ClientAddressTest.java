package io.tickwire.gateway.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickwire.gateway.config.AddressRange;
import io.tickwire.gateway.testing.RawHandshake;
import io.tickwire.gateway.testing.TestGateway;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The client address behind a load balancer: from a PROXY protocol header (v1 or v2) when
 * {@code server.proxy-protocol} is on, from {@code X-Forwarded-For} only when the peer is a trusted proxy.
 * Seen through the per-address handshake limit, which must count the resolved address, not the balancer's.
 */
class ClientAddressTest {

    /**
     * Two handshakes per address at once, then one a second: each address's refusals below follow its
     * admissions directly, well within that second.
     */
    private static final Map<String, String> TWO_PER_ADDRESS = Map.of(
            "TICKWIRE_SERVER_ADDRESS_HANDSHAKES_PER_SECOND", "1", "TICKWIRE_SERVER_ADDRESS_HANDSHAKE_BURST", "2");

    @Test
    void withProxyProtocolTheLimitCountsTheProxiedAddressNotTheBalancer() throws Exception {
        try (TestGateway gw = TestGateway.start(with(TWO_PER_ADDRESS, "TICKWIRE_SERVER_PROXY_PROTOCOL", "true"))) {
            // every connection comes from 127.0.0.1, the "balancer"
            assertThat(handshake(gw, "127.0.0.1", proxyV2("203.0.113.7", 40001), null)).isEqualTo(101);
            assertThat(handshake(gw, "127.0.0.1", proxyV2("203.0.113.7", 40002), null)).isEqualTo(101);
            assertThat(handshake(gw, "127.0.0.1", proxyV2("203.0.113.7", 40003), null)).isEqualTo(429);
            // another client behind the same balancer is not affected, in v2 or v1 headers alike
            assertThat(handshake(gw, "127.0.0.1", proxyV2("203.0.113.8", 40004), null)).isEqualTo(101);
            assertThat(handshake(gw, "127.0.0.1", proxyV1("203.0.113.8", 40005), null)).isEqualTo(101);
            assertThat(handshake(gw, "127.0.0.1", proxyV1("203.0.113.8", 40006), null)).isEqualTo(429);
            assertThat(handshake(gw, "127.0.0.1", proxyV1("2001:db8::9", 40007), null)).isEqualTo(101);

            // a connection without a header, or with a broken one, is closed without an answer
            byte[] plain = ("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            assertThat(RawHandshake.closedWithoutResponse(gw.port(), "127.0.0.1", plain)).isTrue();
            byte[] broken = concat("PROXY TCP4 203.0.113.7 nonsense\r\n".getBytes(StandardCharsets.US_ASCII), plain);
            assertThat(RawHandshake.closedWithoutResponse(gw.port(), "127.0.0.1", broken)).isTrue();
        }
    }

    @Test
    void forwardedForIsBelievedOnlyFromATrustedProxy() throws Exception {
        try (TestGateway gw = TestGateway.start(with(TWO_PER_ADDRESS, "TICKWIRE_SERVER_TRUSTED_PROXIES", "127.0.0.1/32"))) {
            // from the trusted proxy: the forwarded client counts
            assertThat(handshake(gw, "127.0.0.1", null, "203.0.113.7")).isEqualTo(101);
            assertThat(handshake(gw, "127.0.0.1", null, "203.0.113.7")).isEqualTo(101);
            assertThat(handshake(gw, "127.0.0.1", null, "203.0.113.7")).isEqualTo(429);
            // the rightmost untrusted entry counts; what the client wrote to its left proves nothing
            assertThat(handshake(gw, "127.0.0.1", null, "203.0.113.9, 203.0.113.7")).isEqualTo(429);
            assertThat(handshake(gw, "127.0.0.1", null, "203.0.113.7, 203.0.113.9, 127.0.0.1")).isEqualTo(101);
            // malformed: the proxy's own address counts
            assertThat(handshake(gw, "127.0.0.1", null, "203.0.113.9, bogus")).isEqualTo(101);
            assertThat(handshake(gw, "127.0.0.1", null, "not an address")).isEqualTo(101);
            assertThat(handshake(gw, "127.0.0.1", null, "203.0.113.10,,")).isEqualTo(429);

            // from an untrusted peer the header is ignored: new forwarded addresses do not escape its limit
            assertThat(handshake(gw, "127.0.0.2", null, "203.0.113.20")).isEqualTo(101);
            assertThat(handshake(gw, "127.0.0.2", null, "203.0.113.21")).isEqualTo(101);
            assertThat(handshake(gw, "127.0.0.2", null, "203.0.113.22")).isEqualTo(429);
            assertThat(handshake(gw, "127.0.0.3", null, null)).isEqualTo(101);
        }
    }

    @Test
    void forwardedForPicksTheRightmostUntrustedEntry() {
        List<AddressRange> trusted = List.of(AddressRange.parse("10.0.0.0/8"), AddressRange.parse("fd00::/8"));

        assertThat(ForwardedFor.client("198.51.100.1", trusted)).isEqualTo(ip("198.51.100.1"));
        assertThat(ForwardedFor.client("1.1.1.1, 198.51.100.1, 10.0.0.2", trusted)).isEqualTo(ip("198.51.100.1"));
        assertThat(ForwardedFor.client("1.1.1.1,198.51.100.1,10.0.0.2,fd00::5", trusted)).isEqualTo(ip("198.51.100.1"));
        assertThat(ForwardedFor.client("10.0.0.9, 10.0.0.2", trusted)).as("all trusted: leftmost").isEqualTo(ip("10.0.0.9"));
        assertThat(ForwardedFor.client("198.51.100.1:4711", trusted)).isEqualTo(ip("198.51.100.1"));
        assertThat(ForwardedFor.client("[2001:db8::1]:443", trusted)).isEqualTo(ip("2001:db8::1"));
        assertThat(ForwardedFor.client("2001:db8::1", trusted)).isEqualTo(ip("2001:db8::1"));
        assertThat(ForwardedFor.client("::ffff:198.51.100.1", trusted)).isEqualTo(ip("198.51.100.1"));
        // a malformed entry left of the client is never looked at
        assertThat(ForwardedFor.client("junk, 198.51.100.1", trusted)).isEqualTo(ip("198.51.100.1"));
        // malformed where it matters: no answer (the caller keeps the peer)
        assertThat(ForwardedFor.client("198.51.100.1, junk", trusted)).isNull();
        assertThat(ForwardedFor.client("", trusted)).isNull();
        assertThat(ForwardedFor.client("198.51.100.1,", trusted)).isNull();
        assertThat(ForwardedFor.client("example.com", trusted)).as("never a DNS lookup").isNull();
        assertThat(ForwardedFor.client("999.1.1.1", trusted)).isNull();
    }

    private static int handshake(TestGateway gw, String source, byte[] proxyHeader, String forwardedFor) throws Exception {
        RawHandshake.Request r = RawHandshake.request().from(source).token(gw.token("pat"));
        if (proxyHeader != null) {
            r.prefix(proxyHeader);
        }
        if (forwardedFor != null) {
            r.header("X-Forwarded-For", forwardedFor);
        }
        try (RawHandshake h = RawHandshake.send(gw.port(), r)) {
            return h.status;
        }
    }

    /** A PROXY protocol v2 header for TCP over IPv4 from {@code source}:{@code port} to 127.0.0.1:8080. */
    static byte[] proxyV2(String source, int port) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
        b.write(0x21); // version 2, command PROXY
        b.write(0x11); // AF_INET, STREAM
        b.write(0);
        b.write(12); // address block length
        b.writeBytes(InetAddress.getByName(source).getAddress());
        b.writeBytes(new byte[] {127, 0, 0, 1});
        b.write(port >> 8);
        b.write(port & 0xff);
        b.write(8080 >> 8);
        b.write(8080 & 0xff);
        return b.toByteArray();
    }

    /** A PROXY protocol v1 (text) header from {@code source}:{@code port}. */
    static byte[] proxyV1(String source, int port) {
        boolean v6 = source.contains(":");
        String line = "PROXY " + (v6 ? "TCP6 " : "TCP4 ") + source + " " + (v6 ? "::1" : "127.0.0.1") + " " + port + " 8080\r\n";
        return line.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    private static Map<String, String> with(Map<String, String> base, String key, String value) {
        Map<String, String> all = new java.util.HashMap<>(base);
        all.put(key, value);
        return all;
    }

    private static InetAddress ip(String literal) {
        return AddressRange.parseLiteral(literal);
    }
}
