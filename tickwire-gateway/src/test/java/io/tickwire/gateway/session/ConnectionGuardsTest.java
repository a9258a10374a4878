package io.tickwire.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickwire.gateway.auth.TokenMinter;
import io.tickwire.gateway.testing.JdkWsClient;
import io.tickwire.gateway.testing.TestGateway;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What a connection cannot do to the gateway: outlive its token, or grow its buffers by pinging. */
class ConnectionGuardsTest {

    @RegisterExtension
    static final TestGateway gw = TestGateway.perClass(Map.of("TICKWIRE_AUTH_LEEWAY_SECONDS", "0"));

    /** The gateway's gauge of bytes pending on all connections. */
    private static long pendingOutboundBytes() {
        String metrics = gw.get("/metrics").body();
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("(?m)^tickwire_outbound_pending_bytes ([0-9.E]+)$").matcher(metrics);
        assertThat(m.find()).as("gauge present").isTrue();
        return (long) Double.parseDouble(m.group(1));
    }

    @Test
    void connectionEndsWith4001WhenItsTokenExpires() {
        String shortLived = new TokenMinter(TestGateway.SECRET)
                .mint("brief", List.of(), "", System.currentTimeMillis() + 2000);
        try (JdkWsClient c = JdkWsClient.connect(gw.wsUri(), shortLived)) {
            c.nextOfType("welcome");
            assertThat(c.awaitClose(Duration.ofSeconds(10))).isEqualTo(4001);
            assertThat(c.closeReason()).contains("expired");
        }
    }

    @Test
    void pingsFromAClientThatNeverReadsDoNotGrowServerMemory() throws Exception {
        try (Socket s = new Socket("127.0.0.1", gw.port())) {
            s.setReceiveBufferSize(4096);
            OutputStream out = s.getOutputStream();
            out.write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                    + "Authorization: Bearer " + gw.token("pinger") + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            java.io.InputStream in = s.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                head.append((char) in.read()); // the 101, then never read again
            }
            assertThat(head.toString()).startsWith("HTTP/1.1 101");
            // 20,000 pings of 120 bytes (2.4 MB of pongs, were they all answered), never reading a byte back
            byte[] ping = new byte[2 + 4 + 120];
            ping[0] = (byte) 0x89;
            ping[1] = (byte) (0x80 | 120);
            for (int i = 0; i < 20_000; i++) {
                out.write(ping);
            }
            out.flush();
            Thread.sleep(500);
            // the gateway's own accounting: what waits for this client is bounded by the writability line
            // (64 KiB) plus one pong, not the 2.4 MB of pongs it was asked for
            assertThat(pendingOutboundBytes()).as("bytes pending towards the client that never reads")
                    .isLessThan(256L * 1024);
        }
        // and everyone else is still served
        try (JdkWsClient c = JdkWsClient.connect(gw.wsUri(), gw.token("other"))) {
            c.nextOfType("welcome");
            c.send("{\"op\":\"ping\",\"id\":1}");
            assertThat(c.nextOfType("pong").path("id").asInt()).isEqualTo(1);
        }
    }
}
