package io.tickwire.gateway.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tickwire.gateway.testing.JdkWsClient;
import io.tickwire.gateway.testing.JdkWsClient.HandshakeRefused;
import io.tickwire.gateway.testing.JdkWsClient.TokenPlace;
import io.tickwire.gateway.testing.TestGateway;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Connections per node and per user are bounded; slots come back when connections close. */
class ConnectionLimitsTest {

    @Test
    void perUserAndPerNodeLimitsRefuseClearlyAndFreeSlotsOnClose() throws Exception {
        try (TestGateway gw = TestGateway.start(Map.of(
                "TICKWIRE_SERVER_MAX_CONNECTIONS", "3", "TICKWIRE_SERVER_MAX_CONNECTIONS_PER_USER", "2"))) {
            JdkWsClient a1 = JdkWsClient.connect(gw.wsUri(), gw.token("ann"));
            JdkWsClient a2 = JdkWsClient.connect(gw.wsUri(), gw.token("ann"));
            a1.nextOfType("welcome");
            a2.nextOfType("welcome");
            HandshakeRefused userFull = catchThrowableOfType(HandshakeRefused.class,
                    () -> JdkWsClient.connect(gw.wsUri(), gw.token("ann")));
            assertThat(userFull).isNotNull();
            assertThat(userFull.status).isEqualTo(429);
            try (JdkWsClient browser = JdkWsClient.connect(gw.wsUri(), gw.token("ann"), TokenPlace.SUBPROTOCOL,
                    TestGateway.ALLOWED_ORIGIN)) {
                assertThat(browser.awaitClose(Duration.ofSeconds(5))).isEqualTo(4029);
            }

            JdkWsClient b = JdkWsClient.connect(gw.wsUri(), gw.token("bob"));
            b.nextOfType("welcome");
            HandshakeRefused nodeFull = catchThrowableOfType(HandshakeRefused.class,
                    () -> JdkWsClient.connect(gw.wsUri(), gw.token("cid")));
            assertThat(nodeFull).isNotNull();
            assertThat(nodeFull.status).isEqualTo(503);
            try (JdkWsClient browser = JdkWsClient.connect(gw.wsUri(), gw.token("cid"), TokenPlace.SUBPROTOCOL,
                    TestGateway.ALLOWED_ORIGIN)) {
                assertThat(browser.awaitClose(Duration.ofSeconds(5))).isEqualTo(1013);
            }

            // the connected ones are still served, and a closed connection frees its slot
            a1.send("{\"op\":\"ping\",\"id\":1}");
            assertThat(a1.nextOfType("pong").path("id").asInt()).isEqualTo(1);
            a2.send("{\"op\":\"unsubscribe\",\"rooms\":[\"x:y\"]}");
            a2.abort();
            JdkWsClient again = null;
            for (int i = 0; i < 50 && again == null; i++) {
                try {
                    again = JdkWsClient.connect(gw.wsUri(), gw.token("cid"));
                } catch (HandshakeRefused stillFull) {
                    Thread.sleep(100); // the server sees the abort a moment later
                }
            }
            assertThat(again).as("a slot came back after a close").isNotNull();
            assertThat(again.nextOfType("welcome").path("type").asText()).isEqualTo("welcome");
            again.close();
            a1.close();
            b.close();
        }
    }
}
