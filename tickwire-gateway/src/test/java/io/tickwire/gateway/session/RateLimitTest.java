package io.tickwire.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tickwire.gateway.testing.JdkWsClient;
import io.tickwire.gateway.testing.TestGateway;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Client operations are rate limited per connection: rate_limited, then 4029 for a flood; others unaffected. */
class RateLimitTest {

    @RegisterExtension
    static final TestGateway gw = TestGateway.perClass(Map.of("TICKWIRE_WS_MAX_OPS_PER_SECOND", "5", "TICKWIRE_WS_MAX_OPS_BURST", "10"));

    @Test
    void operationsBeyondTheBurstAreRefusedThenAllowedAgainAtTheRate() throws Exception {
        try (JdkWsClient c = JdkWsClient.connect(gw.wsUri(), gw.token("eager"))) {
            c.nextOfType("welcome");
            for (int i = 0; i < 15; i++) {
                c.send("{\"op\":\"ping\",\"id\":" + i + "}");
            }
            List<JsonNode> replies = c.drain(Duration.ofMillis(500));
            assertThat(replies).hasSize(15);
            assertThat(replies.subList(0, 10)).allMatch(r -> r.path("type").asText().equals("pong"));
            // the bucket refills at 5/s: however slowly the sends went out, most of the rest are refused
            List<JsonNode> refused = replies.subList(10, 15).stream()
                    .filter(r -> r.path("code").asText().equals("rate_limited")).toList();
            assertThat(refused).hasSizeGreaterThanOrEqualTo(3);
            assertThat(refused).allMatch(r -> r.path("type").asText().equals("error") && r.has("id"));
            Thread.sleep(400); // 5 per second: two more allowed by now
            c.send("{\"op\":\"ping\",\"id\":99}");
            assertThat(c.next().path("type").asText()).isEqualTo("pong");
            assertThat(c.isClosed()).isFalse();
        }
    }

    @Test
    void aFloodIsClosedWith4029WhileOthersAreServed() {
        try (JdkWsClient flooder = JdkWsClient.connect(gw.wsUri(), gw.token("flooder"));
             JdkWsClient other = JdkWsClient.connect(gw.wsUri(), gw.token("other"))) {
            flooder.nextOfType("welcome");
            other.nextOfType("welcome");
            for (int i = 0; i < 200 && !flooder.isClosed(); i++) {
                try {
                    flooder.send("{\"op\":\"ping\",\"id\":" + i + "}");
                } catch (RuntimeException closedMeanwhile) {
                    break;
                }
            }
            assertThat(flooder.awaitClose(Duration.ofSeconds(10))).isEqualTo(4029);
            assertThat(flooder.drain(Duration.ofMillis(100))).anyMatch(r -> r.path("code").asText().equals("rate_limited"));
            other.send("{\"op\":\"ping\",\"id\":1}");
            assertThat(other.nextOfType("pong").path("id").asInt()).isEqualTo(1);
            assertThat(gw.get("/metrics").body()).containsPattern("tickwire_operations_rate_limited_total [1-9]");
        }
    }
}
