package io.tickwire.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickwire.gateway.testing.JdkWsClient;
import io.tickwire.gateway.testing.TestGateway;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Server pings every heartbeat; a connection silent for three intervals is closed with 4000. */
class HeartbeatTest {

    @RegisterExtension
    static final TestGateway gw = TestGateway.perClass(Map.of("TICKWIRE_WS_HEARTBEAT_MS", "1000"));

    @Test
    void silentConnectionIsPingedThenClosedWith4000WhileAnAnsweringOneStays() throws Exception {
        try (JdkWsClient alive = JdkWsClient.connect(gw.wsUri(), gw.token("alive"));
             Socket silent = new Socket("127.0.0.1", gw.port())) {
            alive.nextOfType("welcome");
            // A raw client that upgrades, then never sends a byte (so it answers no ping).
            OutputStream out = silent.getOutputStream();
            out.write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                    + "Authorization: Bearer " + gw.token("silent") + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            silent.setSoTimeout(15_000);
            byte[] received = readUntilClosed(silent.getInputStream());
            String text = new String(received, StandardCharsets.ISO_8859_1);
            assertThat(text).startsWith("HTTP/1.1 101");
            int frames = text.indexOf("\r\n\r\n") + 4;
            int pings = 0;
            int closeCode = -1;
            for (int i = frames; i + 1 < received.length; ) {
                int opcode = received[i] & 0x0F;
                int len = received[i + 1] & 0x7F;
                int header = len == 126 ? 4 : 2;
                if (len == 126) {
                    len = ((received[i + 2] & 0xFF) << 8) | (received[i + 3] & 0xFF);
                }
                if (opcode == 0x9) {
                    pings++;
                } else if (opcode == 0x8) {
                    closeCode = ((received[i + header] & 0xFF) << 8) | (received[i + header + 1] & 0xFF);
                }
                i += header + len;
            }
            assertThat(pings).as("server pings before giving up").isGreaterThanOrEqualTo(2);
            assertThat(closeCode).isEqualTo(4000);
            // The JDK client answers pings by itself: it is still served.
            alive.send("{\"op\":\"ping\",\"id\":1}");
            assertThat(alive.nextOfType("pong").path("id").asInt()).isEqualTo(1);
            assertThat(alive.isClosed()).isFalse();
        }
    }

    private static byte[] readUntilClosed(InputStream in) throws Exception {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        int n;
        while ((n = in.read(buf)) >= 0) {
            all.write(buf, 0, n);
        }
        return all.toByteArray();
    }
}
