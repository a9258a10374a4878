package io.tickwire.gateway.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.tickwire.gateway.config.ConfigException;
import io.tickwire.gateway.config.ConfigLoader;
import io.tickwire.gateway.config.GatewayConfig;
import io.tickwire.gateway.testing.NettyWsClient;
import io.tickwire.gateway.testing.TestGateway;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Max frequency per kind ({@code min-interval-ms}): a subscriber of a limited conflate kind gets at most one
 * update per interval, always the newest, and the newest state at the end; other kinds are not limited.
 */
class MaxFrequencyTest {

    static final long INTERVAL_MS = 250;
    @RegisterExtension
    static final TestGateway gw = TestGateway.perClass(Map.of("TICKWIRE_ROOMS_KINDS_PRICE_MIN_INTERVAL_MS", Long.toString(INTERVAL_MS)));

    @Test
    void updatesComeAtMostOncePerIntervalAndTheNewestStateArrives() throws Exception {
        try (NettyWsClient limited = NettyWsClient.connect(gw.wsUri(), gw.token("limited"));
             NettyWsClient unlimited = NettyWsClient.connect(gw.wsUri(), gw.token("unlimited"))) {
            limited.nextOfType("welcome");
            unlimited.nextOfType("welcome");
            limited.sendText("{\"op\":\"subscribe\",\"id\":1,\"rooms\":[\"price:MAXF\"]}");
            limited.nextOfType("subscribed");
            unlimited.sendText("{\"op\":\"subscribe\",\"id\":1,\"rooms\":[\"book:MAXF\"]}");
            unlimited.nextOfType("subscribed");

            int count = 100;
            List<Long> arrivals = new ArrayList<>();
            List<Integer> values = new ArrayList<>();
            Thread reader = new Thread(() -> { // timestamps each update as it arrives
                while (values.isEmpty() || values.get(values.size() - 1) != count - 1) {
                    JsonNode e = limited.next(m -> m.path("type").asText().equals("event"), Duration.ofSeconds(10));
                    arrivals.add(System.nanoTime());
                    values.add(e.path("data").path("n").asInt());
                }
            });
            reader.start();
            long t0 = System.nanoTime();
            for (int i = 0; i < count; i++) {
                assertThat(gw.publish("{\"events\":[{\"room\":\"price:MAXF\",\"data\":{\"n\":" + i + "}},"
                        + "{\"room\":\"book:MAXF\",\"data\":{\"n\":" + i + "}}]}").statusCode()).isEqualTo(200);
                Thread.sleep(10);
            }
            long publishMs = (System.nanoTime() - t0) / 1_000_000;
            reader.join(15_000);
            assertThat(reader.isAlive()).as("the newest state never arrived: %s", values).isFalse();

            // the newest state arrived (the loop above ends on it); in order; and nothing more came after it
            assertThat(values).isNotEmpty().isSorted();
            assertThat(values.get(values.size() - 1)).isEqualTo(count - 1);
            assertThat(limited.drain(Duration.ofMillis(2 * INTERVAL_MS))).noneMatch(m -> m.path("type").asText().equals("event"));
            // at most one per interval, give or take the first and the last
            long allowed = publishMs / INTERVAL_MS + 2;
            assertThat((long) values.size()).as("%d events over %d ms", values.size(), publishMs).isLessThanOrEqualTo(allowed);
            assertThat(values.size()).isGreaterThanOrEqualTo(2);
            // spaced by the interval: the median gap between arrivals (a busy machine may delay one read and
            // bunch two, so not every gap)
            List<Long> gaps = new ArrayList<>();
            for (int i = 1; i < arrivals.size(); i++) {
                gaps.add((arrivals.get(i) - arrivals.get(i - 1)) / 1_000_000);
            }
            gaps.sort(null);
            assertThat(gaps.get(gaps.size() / 2)).as("median gap (%s)", gaps).isGreaterThanOrEqualTo(INTERVAL_MS / 2);
            // book has no interval: every update its subscriber could take (it reads as fast as they come)
            int books = 0;
            while (true) {
                JsonNode e = unlimited.next(m -> m.path("type").asText().equals("event"), Duration.ofSeconds(5));
                books++;
                if (e.path("data").path("n").asInt() == count - 1) {
                    break;
                }
            }
            assertThat(books).isGreaterThan(values.size() * 2);
        }
        String scrape = gw.get("/metrics").body();
        assertThat(scrape).containsPattern("(?m)^tickwire_events_conflated_total [1-9]");
    }

    @Test
    void aReliableKindCannotHaveAMinimumInterval() {
        assertThatThrownBy(() -> ConfigLoader.load(GatewayConfig.Mode.DEMO, null,
                Map.of("TICKWIRE_ROOMS_KINDS_TRADES_MIN_INTERVAL_MS", "100")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("rooms.kinds.trades.min-interval-ms")
                .hasMessageContaining("conflate kinds only");
    }

    @Test
    void theIntervalIsBounded() {
        assertThatThrownBy(() -> ConfigLoader.load(GatewayConfig.Mode.DEMO, null,
                Map.of("TICKWIRE_ROOMS_KINDS_PRICE_MIN_INTERVAL_MS", "60001")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("rooms.kinds.price.min-interval-ms");
    }
}
