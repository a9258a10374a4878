package io.tickwire.gateway.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tickwire.gateway.testing.JdkWsClient;
import io.tickwire.gateway.testing.TestGateway;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The same gateway on each network transport it offers ({@code server.transport}): subscribers get a
 * reliable room's events complete and in order (counted with the publisher's counter in {@code data}), and
 * a reader that stops is held to its outbound budget and, once it has taken nothing for
 * {@code outbound.max-unwritable-ms}, closed with 4008, as on the default transport.
 */
class TransportsTest {

    static final int CLIENTS = 8;
    static final int EVENTS = 2_000;
    static final int BATCH = 100;

    @ParameterizedTest
    @ValueSource(strings = {"epoll", "io_uring", "nio"})
    void deliversInOrderAndBoundsAStalledReader(String transport) throws Exception {
        try (TestGateway gw = TestGateway.start(Map.of(
                "TICKWIRE_SERVER_TRANSPORT", transport,
                "TICKWIRE_OUTBOUND_BUDGET_BYTES", "65536",
                "TICKWIRE_OUTBOUND_HIGH_WATER_BYTES", "16384",
                "TICKWIRE_OUTBOUND_LOW_WATER_BYTES", "8192",
                "TICKWIRE_OUTBOUND_SOCKET_SEND_BUFFER_BYTES", "8192",
                "TICKWIRE_OUTBOUND_MAX_UNWRITABLE_MS", "2000",
                "TICKWIRE_ROOMS_MAX_EVENT_BYTES", "16384",
                "TICKWIRE_ROOMS_KINDS_TRADES_HISTORY_EVENTS", "100000"))) {
            assertThat(gw.get("/health/ready").statusCode()).isEqualTo(200);
            List<JdkWsClient> readers = new ArrayList<>();
            JdkWsClient stalled = null;
            try {
                for (int i = 0; i < CLIENTS; i++) {
                    readers.add(subscribed(gw, "r" + i));
                }
                stalled = subscribed(gw, "stalled");
                stalled.pause();

                String padding = "x".repeat(400);
                for (int n = 0; n < EVENTS; n += BATCH) {
                    StringBuilder body = new StringBuilder("{\"events\":[");
                    for (int k = n; k < n + BATCH; k++) {
                        body.append(k == n ? "" : ",").append("{\"room\":\"trades:T\",\"data\":{\"n\":").append(k)
                                .append(",\"pad\":\"").append(padding).append("\"}}");
                    }
                    assertThat(gw.publish(body.append("]}").toString()).statusCode()).isEqualTo(200);
                }

                for (JdkWsClient c : readers) {
                    for (int n = 0; n < EVENTS; n++) {
                        JsonNode e = c.next(m -> "event".equals(m.path("type").asText()), Duration.ofSeconds(20));
                        assertThat(e.path("data").path("n").asInt()).as("%s: event %d", transport, n).isEqualTo(n);
                    }
                    assertThat(c.drain(Duration.ofMillis(50))).isEmpty();
                }
                // 2,000 events of ~450 bytes are far past a 64 KiB budget: the stalled reader holds at most that.
                assertThat(gw.gateway().pendingOutboundBytes()).isLessThanOrEqualTo(
                        (CLIENTS + 1) * (65_536L + 1024));
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (gw.gateway().connections() > CLIENTS && System.nanoTime() < deadline) {
                    Thread.sleep(20); // the server closes the stalled reader once it has taken nothing for 2 s
                }
                assertThat(gw.gateway().connections()).as("connections once the stalled reader is let go")
                        .isEqualTo(CLIENTS);
                // its close frame was queued behind what it never read: the server's count tells the code
                assertThat(closedWith4008(gw)).isEqualTo(1);
                stalled.resume();
                stalled.awaitClose(Duration.ofSeconds(20));
            } finally {
                readers.forEach(JdkWsClient::close);
                if (stalled != null) {
                    stalled.close();
                }
            }
        }
    }

    private static double closedWith4008(TestGateway gw) {
        Matcher m = Pattern.compile("(?m)^tickwire_connections_closed_total\\{by=\"server\",code=\"4008\"} ([0-9.E+]+)$")
                .matcher(gw.get("/metrics").body());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static JdkWsClient subscribed(TestGateway gw, String user) {
        JdkWsClient c = JdkWsClient.connect(gw.wsUri(), gw.token(user));
        c.nextOfType("welcome");
        c.send("{\"op\":\"subscribe\",\"id\":1,\"rooms\":[\"trades:T\"]}");
        assertThat(c.nextOfType("subscribed").path("room").asText()).isEqualTo("trades:T");
        return c;
    }
}
