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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A reader that stops reading: in a reliable room it is served from history until it falls out of it,
 * then closed with 4008 (and a resume tells it {@code reset}); in a conflate room it gets the newest state
 * once it reads again. Readers that keep up meanwhile get everything.
 */
class SlowConsumerTest {

    @RegisterExtension
    static final TestGateway gw = TestGateway.perClass(Map.of(
                "TICKWIRE_ROOMS_KINDS_ORDERS_HISTORY_EVENTS", "100",
                "TICKWIRE_OUTBOUND_BUDGET_BYTES", "65536",
                "TICKWIRE_ROOMS_MAX_EVENT_BYTES", "16384",
                "TICKWIRE_OUTBOUND_HIGH_WATER_BYTES", "16384",
                "TICKWIRE_OUTBOUND_LOW_WATER_BYTES", "8192",
                "TICKWIRE_OUTBOUND_SOCKET_SEND_BUFFER_BYTES", "8192"));
    static final String PAD = "x".repeat(1000);

    private static void publish(String room, int n) {
        gw.gateway().bus().publish(room, ("{\"n\":" + n + ",\"pad\":\"" + PAD + "\"}").getBytes(StandardCharsets.UTF_8), null)
                .toCompletableFuture().join();
    }

    private static JdkWsClient subscribed(String sub, String room) {
        JdkWsClient c = JdkWsClient.connect(gw.wsUri(), gw.token(sub, "orders:*", "account:*"));
        c.nextOfType("welcome");
        c.send("{\"op\":\"subscribe\",\"id\":1,\"rooms\":[\"" + room + "\"]}");
        assertThat(c.nextOfType("subscribed").path("room").asText()).isEqualTo(room);
        return c;
    }

    @Test
    void reliableReaderThatFallsOutOfHistoryIsClosedWith4008AndResumeGetsReset() throws Exception {
        String room = "orders:slow";
        int total = 3000; // 3 MB: far beyond budget, socket buffers and the 100-event history
        try (JdkWsClient slow = subscribed("slow", room); JdkWsClient fast = subscribed("fast", room)) {
            String epoch;
            slow.pause();
            List<Integer> fastSeen = new ArrayList<>();
            for (int n = 0; n < total; n++) {
                publish(room, n);
                if (n % 50 == 49) {
                    while (fastSeen.size() < n + 1) { // the fast reader keeps up
                        fastSeen.add(fast.nextOfType("event").path("data").path("n").asInt());
                    }
                }
            }
            for (int n = 0; n < total; n++) {
                assertThat(fastSeen.get(n)).isEqualTo(n);
            }
            slow.resume();
            long lastSeq = 0;
            int lastN = -1;
            while (true) {
                List<JsonNode> batch = slow.drain(Duration.ofMillis(500));
                if (batch.isEmpty() && slow.isClosed()) {
                    break;
                }
                for (JsonNode m : batch) {
                assertThat(m.path("type").asText()).isEqualTo("event");
                int n = m.path("data").path("n").asInt();
                assertThat(n).as("no gap before the close").isEqualTo(lastN + 1);
                lastN = n;
                lastSeq = m.path("seq").asLong();
                }
            }
            assertThat(slow.awaitClose(Duration.ofSeconds(10))).isEqualTo(4008);
            assertThat(lastN).isLessThan(total - 1);

            epoch = epochOf(room);
            try (JdkWsClient again = JdkWsClient.connect(gw.wsUri(), gw.token("slow", "orders:*"))) {
                again.nextOfType("welcome");
                again.send("{\"op\":\"subscribe\",\"id\":2,\"rooms\":[\"" + room + "\"],\"resume\":{\"" + room
                        + "\":{\"seq\":" + lastSeq + ",\"epoch\":\"" + epoch + "\"}}}");
                assertThat(again.next().path("type").asText()).isEqualTo("subscribed");
                JsonNode reset = again.next();
                assertThat(reset.path("type").asText()).isEqualTo("reset");
                assertThat(reset.path("reason").asText()).isEqualTo("history_unavailable");
            }
        }
    }

    @Test
    void reliableReaderFarBehindIsClosedWith4008WhileItsPositionIsStoredAndResumesExactly() throws Exception {
        String room = "account:behind"; // history 10000 events: the reader falls 6000 behind, within it
        int total = 6000;
        List<Integer> seen = new ArrayList<>();
        long lastSeq = 0;
        String epoch = epochOf(room);
        try (JdkWsClient slow = JdkWsClient.connect(gw.wsUri(), gw.token("behind", "account:*"))) {
            slow.nextOfType("welcome");
            slow.send("{\"op\":\"subscribe\",\"id\":1,\"rooms\":[\"" + room + "\"]}");
            epoch = slow.nextOfType("subscribed").path("epoch").asText();
            slow.pause();
            for (int n = 0; n < total; n++) {
                publish(room, n);
            }
            slow.resume();
            lastSeq = readUntilClosed(slow, seen, total);
        }
        resumeAndReadTheRest("behind", "account:*", room, lastSeq, epoch, seen, total);
        for (int n = 0; n < total; n++) {
            assertThat(seen.get(n)).as("event %d exactly once, in order", n).isEqualTo(n);
        }
    }

    @Test
    void aReaderOfAHistoryTheRingHoldsWholeIsClosedWhileResumableAndResumesExactly() throws Exception {
        String room = "orders:ringonly"; // history 100 events: the room's ring holds all of it
        int total = 80; // 640 KB: beyond budget and socket buffers, yet within the history
        String bigPad = "z".repeat(8000);
        List<Integer> seen = new ArrayList<>();
        long lastSeq = 0;
        String epoch;
        try (JdkWsClient slow = subscribed("ringonly", room)) {
            epoch = epochOf(room);
            slow.pause();
            for (int n = 0; n < total; n++) {
                gw.gateway().bus().publish(room, ("{\"n\":" + n + ",\"pad\":\"" + bigPad + "\"}")
                        .getBytes(StandardCharsets.UTF_8), null).toCompletableFuture().join();
            }
            slow.resume();
            lastSeq = readUntilClosed(slow, seen, total);
        }
        resumeAndReadTheRest("ringonly", "orders:*", room, lastSeq, epoch, seen, total);
        for (int n = 0; n < total; n++) {
            assertThat(seen.get(n)).as("event %d exactly once, in order", n).isEqualTo(n);
        }
    }

    /**
     * Reads events (their {@code n} into {@code seen}) until the server closes the connection, which must be
     * with 4008 before all {@code total} arrived; returns the last seq read.
     */
    private static long readUntilClosed(JdkWsClient slow, List<Integer> seen, int total) {
        long lastSeq = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) { // a reader never closed would read everything and wait here
            List<JsonNode> batch = slow.drain(Duration.ofMillis(500));
            if (batch.isEmpty() && slow.isClosed()) {
                break;
            }
            for (JsonNode m : batch) {
                assertThat(m.path("type").asText()).isEqualTo("event");
                seen.add(m.path("data").path("n").asInt());
                lastSeq = m.path("seq").asLong();
            }
        }
        assertThat(slow.isClosed()).as("closed while behind (read %d of %d)", seen.size(), total).isTrue();
        assertThat(slow.awaitClose(Duration.ofSeconds(10))).isEqualTo(4008);
        assertThat(seen.size()).as("closed before reading everything").isLessThan(total);
        return lastSeq;
    }

    /** Resumes {@code room} from {@code lastSeq} on a new connection and reads until {@code total} were seen. */
    private static void resumeAndReadTheRest(String sub, String grant, String room, long lastSeq, String epoch,
                                             List<Integer> seen, int total) {
        try (JdkWsClient again = JdkWsClient.connect(gw.wsUri(), gw.token(sub, grant))) {
            again.nextOfType("welcome");
            again.send("{\"op\":\"subscribe\",\"id\":2,\"rooms\":[\"" + room + "\"],\"resume\":{\"" + room
                    + "\":{\"seq\":" + lastSeq + ",\"epoch\":\"" + epoch + "\"}}}");
            assertThat(again.next().path("type").asText()).isEqualTo("subscribed");
            while (seen.size() < total) {
                JsonNode m = again.next(Duration.ofSeconds(20));
                assertThat(m.path("type").asText()).as("no reset: %s", m).isEqualTo("event");
                seen.add(m.path("data").path("n").asInt());
            }
            assertThat(again.isClosed()).isFalse();
        }
    }

    private static String epochOf(String room) {
        return gw.gateway().bus().position(room).toCompletableFuture().join().epoch();
    }

    @Test
    void conflateReaderGetsTheNewestStateOnceItReadsAgain() throws Exception {
        String room = "price:SLOWC";
        try (JdkWsClient c = JdkWsClient.connect(gw.wsUri(), gw.token("conflate"))) {
            c.nextOfType("welcome");
            c.send("{\"op\":\"subscribe\",\"id\":1,\"rooms\":[\"" + room + "\"]}");
            c.nextOfType("subscribed");
            c.pause();
            for (int n = 0; n < 2000; n++) {
                publish(room, n);
            }
            Thread.sleep(200);
            c.resume();
            int last = -1;
            int received = 0;
            while (last != 1999) {
                JsonNode m = c.next(Duration.ofSeconds(10));
                assertThat(m.path("type").asText()).isEqualTo("event");
                int n = m.path("data").path("n").asInt();
                assertThat(n).as("order holds while skipping").isGreaterThan(last);
                last = n;
                received++;
            }
            assertThat(received).as("intermediate states were skipped").isLessThan(2000);
            assertThat(c.isClosed()).isFalse();
        }
    }
}
