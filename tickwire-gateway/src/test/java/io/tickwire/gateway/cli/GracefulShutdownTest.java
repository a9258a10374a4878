package io.tickwire.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.tickwire.gateway.testing.JdkWsClient;
import io.tickwire.gateway.testing.TestGateway;
import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the process does on SIGTERM ({@link Main#shutdown}, run by its shutdown hook): drain, wait for the last
 * connection or the deadline, then stop.
 */
class GracefulShutdownTest {

    @Test
    void shutdownDrainsEveryConnectionThenStops() {
        TestGateway gw = TestGateway.start(Map.of("TICKWIRE_DRAIN_WINDOW_SECONDS", "2",
                "TICKWIRE_DRAIN_EXIT_DEADLINE_SECONDS", "6"));
        List<JdkWsClient> clients = connect(gw, 10);
        boolean stopped = false;
        try {
            long t0 = System.nanoTime();
            boolean drained = Main.shutdown(gw.gateway(), Duration.ofSeconds(gw.gateway().config().drain().exitDeadlineSeconds()));
            stopped = true;
            long tookMs = (System.nanoTime() - t0) / 1_000_000;

            assertThat(drained).isTrue();
            assertThat(tookMs).as("the window (2 s) and the close handshakes, well before the deadline").isLessThan(4500);
            for (JdkWsClient c : clients) {
                assertThat(c.awaitClose(Duration.ofSeconds(1))).isEqualTo(1012);
                assertThat(c.drain(Duration.ofMillis(1))).anyMatch(n -> n.path("type").asText().equals("reconnect"));
            }
            assertThatThrownBy(() -> new Socket("127.0.0.1", gw.port()).close()).as("the node has stopped")
                    .isInstanceOf(ConnectException.class);
        } finally {
            clients.forEach(JdkWsClient::close);
            if (!stopped) {
                gw.close();
            }
        }
    }

    @Test
    void atTheDeadlineTheConnectionsLeftAreClosedWith1001() {
        TestGateway gw = TestGateway.start(Map.of("TICKWIRE_DRAIN_WINDOW_SECONDS", "6",
                "TICKWIRE_DRAIN_EXIT_DEADLINE_SECONDS", "10"));
        List<JdkWsClient> clients = connect(gw, 20);
        boolean stopped = false;
        try {
            long t0 = System.nanoTime();
            boolean drained = Main.shutdown(gw.gateway(), Duration.ofSeconds(1)); // shorter than the window
            stopped = true;
            long tookMs = (System.nanoTime() - t0) / 1_000_000;

            assertThat(drained).isFalse();
            assertThat(tookMs).as("the deadline, then the stop").isBetween(900L, 4500L);
            int restarted = 0;
            int goingAway = 0;
            for (JdkWsClient c : clients) {
                int code = c.awaitClose(Duration.ofSeconds(5));
                JsonNode reconnect = c.next(n -> n.path("type").asText().equals("reconnect"), Duration.ofSeconds(1));
                long afterMs = reconnect.path("after_ms").asLong();
                if (afterMs < 700) {
                    assertThat(code).as("announced %d ms: closed by the drain", afterMs).isEqualTo(1012);
                    restarted++;
                } else if (afterMs > 2000) {
                    assertThat(code).as("announced %d ms: closed at the deadline", afterMs).isEqualTo(1001);
                    goingAway++;
                }
            }
            assertThat(goingAway).as("most of a 6 s window lies past a 1 s deadline").isGreaterThan(0);
            assertThat(restarted + goingAway).isGreaterThan(0);
        } finally {
            clients.forEach(JdkWsClient::close);
            if (!stopped) {
                gw.close();
            }
        }
    }

    private static List<JdkWsClient> connect(TestGateway gw, int n) {
        List<JdkWsClient> clients = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            JdkWsClient c = JdkWsClient.connect(gw.wsUri(), gw.token("shut-" + i));
            clients.add(c);
            c.nextOfType("welcome");
        }
        return clients;
    }
}
