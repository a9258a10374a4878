package io.tickwire.gateway.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickwire.gateway.testing.JdkWsClient;
import io.tickwire.gateway.testing.TestGateway;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Connection lifecycle at the edges: the handshake deadline and the server going away. */
class LifecycleTest {

    @Test
    void connectionThatSendsNoRequestIsDroppedAtTheDeadline() throws Exception {
        try (TestGateway gw = TestGateway.start(Map.of("TICKWIRE_WS_HANDSHAKE_TIMEOUT_MS", "300"));
             Socket idle = new Socket("127.0.0.1", gw.port())) {
            idle.setSoTimeout(5000);
            InputStream in = idle.getInputStream();
            assertThat(in.read()).as("the server closed the idle connection").isEqualTo(-1);
            // and it still serves others
            assertThat(gw.get("/health/live").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void stoppingTheServerClosesSessionsWith1001() {
        TestGateway gw = TestGateway.start();
        try (JdkWsClient c = JdkWsClient.connect(gw.wsUri(), gw.token("leaving"))) {
            c.nextOfType("welcome");
            gw.close();
            assertThat(c.awaitClose(Duration.ofSeconds(5))).isEqualTo(1001);
        }
    }
}
