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

/** The contract's happy paths, over a real socket with the JDK's WebSocket client. */
class SubscribeFlowTest {

    @RegisterExtension
    static final TestGateway gw = TestGateway.perClass(Map.of());

    @Test
    void welcomeThenSubscribedThenSnapshotThenLiveEvents() {
        assertThat(gw.publish("{\"room\":\"price:FLOW1\",\"data\":{\"bid\":1.5,\"n\":1}}").statusCode()).isEqualTo(200);
        try (JdkWsClient c = JdkWsClient.connect(gw.wsUri(), gw.token("alice", "account:42"))) {
            JsonNode welcome = c.next();
            assertThat(welcome.path("type").asText()).isEqualTo("welcome");
            assertThat(welcome.path("node").asText()).isEqualTo("gw-test");
            assertThat(welcome.path("heartbeat_ms").asLong()).isEqualTo(15000);
            assertThat(welcome.path("expires_at").asLong()).isGreaterThan(System.currentTimeMillis());

            c.send("{\"op\":\"subscribe\",\"id\":1,\"rooms\":[\"price:FLOW1\",\"account:42\",\"price:FLOW1\"]}");
            JsonNode sub1 = c.next();
            assertThat(sub1.path("type").asText()).isEqualTo("subscribed");
            assertThat(sub1.path("id").asInt()).isEqualTo(1);
            assertThat(sub1.path("room").asText()).isEqualTo("price:FLOW1");
            assertThat(sub1.path("mode").asText()).isEqualTo("conflate");
            long s = sub1.path("seq").asLong();
            assertThat(s).isPositive();
            JsonNode snapshot = c.next();
            assertThat(snapshot.path("type").asText()).isEqualTo("snapshot");
            assertThat(snapshot.path("seq").asLong()).isEqualTo(s);
            assertThat(snapshot.path("data").path("n").asInt()).isEqualTo(1);
            JsonNode sub2 = c.next();
            assertThat(sub2.path("room").asText()).isEqualTo("account:42");
            assertThat(sub2.path("mode").asText()).isEqualTo("reliable");
            assertThat(sub2.path("seq").asLong()).isZero();
            assertThat(sub2.path("epoch").asText()).isNotEmpty();

            gw.publish("{\"events\":[{\"room\":\"price:FLOW1\",\"data\":{\"n\":2}},{\"room\":\"account:42\",\"data\":{\"fill\":\"x\"}}]}");
            List<JsonNode> got = List.of(c.nextOfType("event"), c.nextOfType("event"));
            assertThat(got).extracting(n -> n.path("room").asText()).containsExactlyInAnyOrder("price:FLOW1", "account:42");
            for (JsonNode e : got) {
                assertThat(e.path("ts").asLong()).isPositive();
                assertThat(e.path("seq").asLong()).isPositive();
            }
            assertThat(c.drain(Duration.ofMillis(200))).isEmpty(); // duplicate room counted once
        }
    }

    @Test
    void unsubscribeStopsEventsAndAnswersForRoomsNotHeld() {
        try (JdkWsClient c = JdkWsClient.connect(gw.wsUri(), gw.token("bob"))) {
            c.nextOfType("welcome");
            c.send("{\"op\":\"subscribe\",\"id\":\"s\",\"rooms\":[\"trades:UNS\"]}");
            assertThat(c.nextOfType("subscribed").path("id").asText()).isEqualTo("s");
            gw.publish("{\"room\":\"trades:UNS\",\"data\":{\"n\":1}}");
            assertThat(c.nextOfType("event").path("data").path("n").asInt()).isEqualTo(1);
            c.send("{\"op\":\"unsubscribe\",\"id\":2,\"rooms\":[\"trades:UNS\",\"trades:NEVER\"]}");
            JsonNode u1 = c.next();
            JsonNode u2 = c.next();
            assertThat(u1.path("type").asText()).isEqualTo("unsubscribed");
            assertThat(u1.path("room").asText()).isEqualTo("trades:UNS");
            assertThat(u2.path("room").asText()).isEqualTo("trades:NEVER");
            gw.publish("{\"room\":\"trades:UNS\",\"data\":{\"n\":2}}");
            assertThat(c.drain(Duration.ofMillis(300))).isEmpty();
        }
    }

    @Test
    void alreadySubscribedLeavesTheSubscriptionUntouched() {
        try (JdkWsClient c = JdkWsClient.connect(gw.wsUri(), gw.token("carol"))) {
            c.nextOfType("welcome");
            c.send("{\"op\":\"subscribe\",\"id\":1,\"rooms\":[\"trades:DUP\"]}");
            c.nextOfType("subscribed");
            c.send("{\"op\":\"subscribe\",\"id\":2,\"rooms\":[\"trades:DUP\"]}");
            JsonNode err = c.next();
            assertThat(err.path("type").asText()).isEqualTo("error");
            assertThat(err.path("code").asText()).isEqualTo("already_subscribed");
            assertThat(err.path("id").asInt()).isEqualTo(2);
            gw.publish("{\"room\":\"trades:DUP\",\"data\":{\"n\":7}}");
            JsonNode e = c.next();
            assertThat(e.path("type").asText()).isEqualTo("event");
            assertThat(e.path("data").path("n").asInt()).isEqualTo(7);
            assertThat(c.drain(Duration.ofMillis(200))).isEmpty();
        }
    }

    @Test
    void pingGetsPong() {
        try (JdkWsClient c = JdkWsClient.connect(gw.wsUri(), gw.token("dave"))) {
            c.nextOfType("welcome");
            c.send("{\"op\":\"ping\",\"id\":99}");
            JsonNode pong = c.next();
            assertThat(pong.path("type").asText()).isEqualTo("pong");
            assertThat(pong.path("id").asInt()).isEqualTo(99);
        }
    }
}
