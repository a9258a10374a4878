package io.tickwire.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tickwire.gateway.auth.TokenMinter;
import io.tickwire.gateway.testing.JdkWsClient;
import io.tickwire.gateway.testing.TestGateway;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** In-band refresh: warned ahead of expiry, a new token of the same sub extends the session, grants re-checked. */
class RefreshTest {

    @RegisterExtension
    static final TestGateway gw = TestGateway.perClass(Map.of("TICKWIRE_AUTH_LEEWAY_SECONDS", "0", "TICKWIRE_AUTH_EXPIRY_WARNING_SECONDS", "2"));
    static final TokenMinter MINTER = new TokenMinter(TestGateway.SECRET);

    private static String token(String sub, long lifetimeMillis, String... rooms) {
        return MINTER.mint(sub, List.of(rooms), "", System.currentTimeMillis() + lifetimeMillis);
    }

    @Test
    void tokenExpiringThenRefreshKeepsTheConnectionPastTheOldExpiry() throws Exception {
        try (JdkWsClient c = JdkWsClient.connect(gw.wsUri(), token("ann", 4000))) {
            long oldExpiry = c.nextOfType("welcome").path("expires_at").asLong();
            JsonNode warning = c.nextOfType("token_expiring");
            assertThat(warning.path("expires_at").asLong()).isEqualTo(oldExpiry);
            assertThat(System.currentTimeMillis()).isLessThan(oldExpiry);
            c.send("{\"op\":\"refresh\",\"id\":\"r1\",\"token\":\"" + token("ann", 3_600_000) + "\"}");
            JsonNode refreshed = c.nextOfType("refreshed");
            assertThat(refreshed.path("id").asText()).isEqualTo("r1");
            assertThat(refreshed.path("expires_at").asLong()).isGreaterThan(oldExpiry + 3_000_000);
            Thread.sleep(Math.max(0, oldExpiry - System.currentTimeMillis()) + 1500);
            c.send("{\"op\":\"ping\",\"id\":2}");
            assertThat(c.nextOfType("pong").path("id").asInt()).isEqualTo(2);
            assertThat(c.isClosed()).isFalse();
        }
    }

    @Test
    void refreshWithAnotherSubIsRefusedAndTheOldTokenStaysInForce() {
        try (JdkWsClient c = JdkWsClient.connect(gw.wsUri(), token("bea", 3_600_000))) {
            c.nextOfType("welcome");
            c.send("{\"op\":\"refresh\",\"id\":3,\"token\":\"" + token("mallory", 3_600_000) + "\"}");
            JsonNode error = c.nextOfType("error");
            assertThat(error.path("id").asInt()).isEqualTo(3);
            assertThat(error.path("code").asText()).isEqualTo("unauthorized");
            c.send("{\"op\":\"refresh\",\"id\":4,\"token\":\"not-a-jwt\"}");
            assertThat(c.nextOfType("error").path("code").asText()).isEqualTo("unauthorized");
            c.send("{\"op\":\"ping\",\"id\":5}");
            assertThat(c.nextOfType("pong").path("id").asInt()).isEqualTo(5);
        }
    }

    @Test
    void aNarrowerTokenEndsTheSubscriptionsItNoLongerGrants() {
        try (JdkWsClient c = JdkWsClient.connect(gw.wsUri(), token("cat", 3_600_000, "account:1", "account:2"))) {
            c.nextOfType("welcome");
            c.send("{\"op\":\"subscribe\",\"id\":1,\"rooms\":[\"account:1\",\"account:2\",\"price:RFR\"]}");
            for (int i = 0; i < 3; i++) {
                assertThat(c.nextOfType("subscribed").path("type").asText()).isEqualTo("subscribed");
            }
            c.send("{\"op\":\"refresh\",\"id\":9,\"token\":\"" + token("cat", 3_600_000, "account:1") + "\"}");
            assertThat(c.nextOfType("refreshed").path("id").asInt()).isEqualTo(9);
            JsonNode ended = c.nextOfType("unsubscribed");
            assertThat(ended.path("room").asText()).isEqualTo("account:2");
            assertThat(ended.path("reason").asText()).isEqualTo("forbidden");
            assertThat(ended.has("id")).isFalse();
            gw.publish("{\"events\":[{\"room\":\"account:2\",\"data\":{\"n\":1}},{\"room\":\"account:1\",\"data\":{\"n\":2}},"
                    + "{\"room\":\"price:RFR\",\"data\":{\"n\":3}}]}");
            List<JsonNode> events = List.of(c.nextOfType("event"), c.nextOfType("event"));
            assertThat(events).extracting(e -> e.path("room").asText()).containsExactlyInAnyOrder("account:1", "price:RFR");
            assertThat(c.drain(Duration.ofMillis(300))).isEmpty();
        }
    }
}
