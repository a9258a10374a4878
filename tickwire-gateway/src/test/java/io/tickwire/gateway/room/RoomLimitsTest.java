package io.tickwire.gateway.room;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tickwire.gateway.testing.JdkWsClient;
import io.tickwire.gateway.testing.TestGateway;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Rooms are bounded per kind, and a node holds only rooms someone subscribed to. */
class RoomLimitsTest {

    @RegisterExtension
    static final TestGateway gw = TestGateway.perClass(Map.of(
                "TICKWIRE_ROOMS_KINDS_TRADES_MAX_ROOMS", "2",
                "TICKWIRE_ROOMS_KINDS_BOOK_MAX_ROOMS", "2"));

    @Test
    void publishingBeyondAKindsRoomLimitGets429AndTheRoomsWithinItKeepWorking() {
        assertThat(gw.publish("{\"room\":\"trades:A\",\"data\":1}").statusCode()).isEqualTo(200);
        assertThat(gw.publish("{\"room\":\"trades:B\",\"data\":1}").statusCode()).isEqualTo(200);
        var refused = gw.publish("{\"room\":\"trades:C\",\"data\":1}");
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.body()).contains("\"code\":\"limit_exceeded\"");
        assertThat(gw.publish("{\"room\":\"trades:A\",\"data\":2}").statusCode()).isEqualTo(200);
    }

    @Test
    void subscribingBeyondAKindsRoomLimitGetsLimitExceeded() {
        try (JdkWsClient c = JdkWsClient.connect(gw.wsUri(), gw.token("many"))) {
            c.nextOfType("welcome");
            c.send("{\"op\":\"subscribe\",\"id\":1,\"rooms\":[\"book:X\",\"book:Y\",\"book:Z\"]}");
            int subscribed = 0;
            JsonNode error = null;
            for (int i = 0; i < 3; i++) {
                JsonNode m = c.next();
                if (m.path("type").asText().equals("subscribed")) {
                    subscribed++;
                } else {
                    error = m;
                }
            }
            assertThat(subscribed).isEqualTo(2);
            assertThat(error.path("code").asText()).isEqualTo("limit_exceeded");
            assertThat(error.path("room").asText()).isEqualTo("book:Z");
        }
    }

    @Test
    void eventsOfRoomsNobodyHereSubscribedToAreNotHeldByTheNode() {
        int before = gw.gateway().rooms().size();
        for (int i = 0; i < 50; i++) {
            assertThat(gw.publish("{\"room\":\"account:nobody" + i + "\",\"data\":{\"n\":1}}").statusCode()).isEqualTo(200);
        }
        assertThat(gw.gateway().rooms().size()).isEqualTo(before);
        // yet a later subscriber of one of them starts from the bus's position
        try (JdkWsClient c = JdkWsClient.connect(gw.wsUri(), gw.token("late", "account:*"))) {
            c.nextOfType("welcome");
            c.send("{\"op\":\"subscribe\",\"id\":1,\"rooms\":[\"account:nobody7\"]}");
            assertThat(c.nextOfType("subscribed").path("seq").asLong()).isEqualTo(1);
        }
    }
}
