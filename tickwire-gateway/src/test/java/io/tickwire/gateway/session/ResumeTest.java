package io.tickwire.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tickwire.gateway.testing.JdkWsClient;
import io.tickwire.gateway.testing.TestGateway;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Resume after a dropped connection: exactly the full sequence, or {@code reset} when it cannot be served. */
class ResumeTest {

    @RegisterExtension
    static final TestGateway gw = TestGateway.perClass(Map.of("TICKWIRE_ROOMS_KINDS_ORDERS_HISTORY_EVENTS", "50"));

    private static void publish(String room, int n) {
        gw.gateway().bus().publish(room, ("{\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8), null)
                .toCompletableFuture().join();
    }

    private static JdkWsClient subscribe(String room, String resume) {
        JdkWsClient c = JdkWsClient.connect(gw.wsUri(), gw.token("r", "account:*", "orders:*"));
        c.nextOfType("welcome");
        c.send("{\"op\":\"subscribe\",\"id\":1,\"rooms\":[\"" + room + "\"]"
                + (resume == null ? "" : ",\"resume\":{\"" + room + "\":" + resume + "}") + "}");
        return c;
    }

    @Test
    void dropMidStreamThenResumeGivesExactlyTheFullSequence() throws Exception {
        String room = "account:resume1";
        int total = 3000;
        AtomicBoolean publishing = new AtomicBoolean(true);
        List<Integer> seen = new ArrayList<>();
        JdkWsClient c = subscribe(room, null);
        JsonNode subscribed = c.nextOfType("subscribed");
        String epoch = subscribed.path("epoch").asText();
        long lastSeq = subscribed.path("seq").asLong();
        Thread publisher = new Thread(() -> {
            for (int n = 0; n < total; n++) {
                publish(room, n);
                if (n % 100 == 0) {
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
            publishing.set(false);
        });
        publisher.start();
        try {
            for (int drop = 0; drop < 3; drop++) {
                for (int i = 0; i < 300; i++) {
                    JsonNode e = c.nextOfType("event");
                    seen.add(e.path("data").path("n").asInt());
                    lastSeq = e.path("seq").asLong();
                }
                c.abort(); // the connection drops while events keep flowing
                c = subscribe(room, "{\"seq\":" + lastSeq + ",\"epoch\":\"" + epoch + "\"}");
                JsonNode again = c.next();
                assertThat(again.path("type").asText()).isEqualTo("subscribed");
                assertThat(again.path("epoch").asText()).isEqualTo(epoch);
            }
            while (seen.size() < total) {
                JsonNode e = c.next(Duration.ofSeconds(20));
                assertThat(e.path("type").asText()).as("%s", e).isEqualTo("event");
                seen.add(e.path("data").path("n").asInt());
            }
            publisher.join();
            assertThat(c.drain(Duration.ofMillis(200))).isEmpty();
        } finally {
            c.close();
            publisher.interrupt();
        }
        for (int n = 0; n < total; n++) {
            assertThat(seen.get(n)).as("event %d", n).isEqualTo(n);
        }
    }

    @Test
    void resumeOlderThanHistoryGetsReset() {
        String room = "orders:old";
        for (int n = 0; n < 200; n++) {
            publish(room, n);
        }
        try (JdkWsClient probe = subscribe(room, null)) {
            String epoch = probe.nextOfType("subscribed").path("epoch").asText();
            try (JdkWsClient c = subscribe(room, "{\"seq\":10,\"epoch\":\"" + epoch + "\"}")) {
                JsonNode sub = c.next();
                assertThat(sub.path("type").asText()).isEqualTo("subscribed");
                JsonNode reset = c.next();
                assertThat(reset.path("type").asText()).isEqualTo("reset");
                assertThat(reset.path("reason").asText()).isEqualTo("history_unavailable");
                assertThat(reset.path("epoch").asText()).isEqualTo(epoch);
                long resetSeq = reset.path("seq").asLong();
                publish(room, 200);
                JsonNode live = c.next();
                assertThat(live.path("type").asText()).isEqualTo("event");
                assertThat(live.path("data").path("n").asInt()).isEqualTo(200);
                assertThat(live.path("seq").asLong()).isGreaterThan(resetSeq);
            }
        }
    }

    @Test
    void resumeWithAnotherEpochGetsReset() {
        String room = "account:epoch";
        publish(room, 0);
        try (JdkWsClient c = subscribe(room, "{\"seq\":1,\"epoch\":\"m-not-this-one\"}")) {
            JsonNode sub = c.next();
            assertThat(sub.path("type").asText()).isEqualTo("subscribed");
            JsonNode reset = c.next();
            assertThat(reset.path("type").asText()).isEqualTo("reset");
            assertThat(reset.path("reason").asText()).isEqualTo("epoch_changed");
            assertThat(reset.path("epoch").asText()).isEqualTo(sub.path("epoch").asText());
            assertThat(c.drain(Duration.ofMillis(200))).isEmpty();
        }
    }

    @Test
    void resumeAboveTheLatestSeqGetsReset() {
        String room = "account:ahead";
        publish(room, 0);
        try (JdkWsClient probe = subscribe(room, null)) {
            String epoch = probe.nextOfType("subscribed").path("epoch").asText();
            try (JdkWsClient c = subscribe(room, "{\"seq\":999,\"epoch\":\"" + epoch + "\"}")) {
                assertThat(c.next().path("type").asText()).isEqualTo("subscribed");
                assertThat(c.next().path("type").asText()).isEqualTo("reset");
            }
        }
    }

    @Test
    void conflateResumeIsServedWithTheSnapshot() {
        String room = "price:RSM";
        publish(room, 1);
        publish(room, 2);
        try (JdkWsClient c = subscribe(room, "{\"seq\":1,\"epoch\":\"m-whatever\"}")) {
            assertThat(c.next().path("type").asText()).isEqualTo("subscribed");
            JsonNode snap = c.next();
            assertThat(snap.path("type").asText()).isEqualTo("snapshot");
            assertThat(snap.path("data").path("n").asInt()).isEqualTo(2);
        }
    }

    @Test
    void largeResumeToASlowReaderCompletesWithout4008() throws Exception {
        String room = "account:slowresume";
        int total = 8000;
        StringBuilder pad = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            pad.append('x'); // ~250-byte events: 2 MB in all, twice the outbound budget
        }
        for (int n = 0; n < total; n++) {
            gw.gateway().bus().publish(room, ("{\"n\":" + n + ",\"pad\":\"" + pad + "\"}").getBytes(StandardCharsets.UTF_8), null)
                    .toCompletableFuture().join();
        }
        try (JdkWsClient probe = subscribe(room, null)) {
            String epoch = probe.nextOfType("subscribed").path("epoch").asText();
            try (JdkWsClient c = subscribe(room, "{\"seq\":0,\"epoch\":\"" + epoch + "\"}")) {
                assertThat(c.next().path("type").asText()).isEqualTo("subscribed");
                c.pause();
                Thread.sleep(1000); // the gateway fills the socket and must wait, not give up
                c.resume();
                for (int n = 0; n < total; n++) {
                    JsonNode e = c.next(Duration.ofSeconds(20));
                    assertThat(e.path("type").asText()).as("%s", e).isEqualTo("event");
                    assertThat(e.path("data").path("n").asInt()).isEqualTo(n);
                    if (n % 1000 == 0) {
                        Thread.sleep(100); // and keeps reading slowly
                    }
                }
                assertThat(c.isClosed()).isFalse();
            }
        }
    }

    @Test
    void resumeOfLargeEventsWhileLiveEventsFlowArrivesExactlyOnceInOrder() throws Exception {
        // Frames of tens of KiB make writes cross the writability line and flush early during the replay.
        String room = "account:large";
        int stored = 150;
        int live = 50;
        for (int n = 0; n < stored; n++) {
            publishLarge(room, n);
        }
        try (JdkWsClient probe = subscribe(room, null)) {
            String epoch = probe.nextOfType("subscribed").path("epoch").asText();
            try (JdkWsClient c = subscribe(room, "{\"seq\":0,\"epoch\":\"" + epoch + "\"}")) {
                assertThat(c.next().path("type").asText()).isEqualTo("subscribed");
                for (int n = stored; n < stored + live; n++) {
                    publishLarge(room, n);
                }
                for (int n = 0; n < stored + live; n++) {
                    JsonNode e = c.next(Duration.ofSeconds(20));
                    assertThat(e.path("type").asText()).as("%s", e.path("type")).isEqualTo("event");
                    assertThat(e.path("data").path("n").asInt()).isEqualTo(n);
                }
                assertThat(c.drain(Duration.ofMillis(300))).isEmpty();
            }
        }
    }

    private static void publishLarge(String room, int n) {
        String pad = "x".repeat(n % 2 == 0 ? 31 * 1024 : 34 * 1024);
        gw.gateway().bus().publish(room, ("{\"n\":" + n + ",\"pad\":\"" + pad + "\"}").getBytes(StandardCharsets.UTF_8), null)
                .toCompletableFuture().join();
    }
}
