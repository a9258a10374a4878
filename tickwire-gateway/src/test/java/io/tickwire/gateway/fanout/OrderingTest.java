package io.tickwire.gateway.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tickwire.gateway.testing.JdkWsClient;
import io.tickwire.gateway.testing.TestGateway;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Several publisher threads, a few reliable rooms, many subscribers: every subscriber gets each room's
 * events complete and in order. Loss and order are counted with the publishers' own counters in
 * {@code data}, never with {@code seq} contiguity.
 */
class OrderingTest {

    static final int PUBLISHERS = 4;
    static final int ROOMS = 3;
    static final int PER_PUBLISHER_PER_ROOM = 500;
    static final int CLIENTS = 20;

    @RegisterExtension
    static final TestGateway gw = TestGateway.perClass(Map.of());

    @Test
    void concurrentPublishersManySubscribersCompleteAndInOrder() throws Exception {
        List<JdkWsClient> clients = new ArrayList<>();
        try {
            StringBuilder rooms = new StringBuilder();
            for (int r = 0; r < ROOMS; r++) {
                rooms.append(r == 0 ? "" : ",").append("\"account:ord").append(r).append('"');
            }
            for (int i = 0; i < CLIENTS; i++) {
                JdkWsClient c = JdkWsClient.connect(gw.wsUri(), gw.token("c" + i, "account:*"));
                c.nextOfType("welcome");
                c.send("{\"op\":\"subscribe\",\"id\":1,\"rooms\":[" + rooms + "]}");
                for (int r = 0; r < ROOMS; r++) {
                    assertThat(c.next().path("type").asText()).isEqualTo("subscribed");
                }
                clients.add(c);
            }

            ExecutorService pool = Executors.newFixedThreadPool(PUBLISHERS);
            List<CompletableFuture<Void>> done = new ArrayList<>();
            for (int p = 0; p < PUBLISHERS; p++) {
                int publisher = p;
                done.add(CompletableFuture.runAsync(() -> {
                    for (int n = 0; n < PER_PUBLISHER_PER_ROOM; n++) {
                        for (int r = 0; r < ROOMS; r++) {
                            byte[] data = ("{\"p\":" + publisher + ",\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8);
                            gw.gateway().bus().publish("account:ord" + r, data, null).toCompletableFuture().join();
                        }
                    }
                }, pool));
            }
            CompletableFuture.allOf(done.toArray(new CompletableFuture[0])).join();
            pool.shutdown();

            int expected = ROOMS * PUBLISHERS * PER_PUBLISHER_PER_ROOM;
            for (JdkWsClient c : clients) {
                Map<String, Long> lastSeq = new HashMap<>();
                Map<String, Integer> nextN = new HashMap<>();
                for (int i = 0; i < expected; i++) {
                    JsonNode e = c.next(Duration.ofSeconds(20));
                    assertThat(e.path("type").asText()).as("message %d: %s", i, e).isEqualTo("event");
                    String room = e.path("room").asText();
                    long seq = e.path("seq").asLong();
                    assertThat(seq).as("seq order in %s", room).isGreaterThan(lastSeq.getOrDefault(room, 0L));
                    lastSeq.put(room, seq);
                    String key = room + "/" + e.path("data").path("p").asInt();
                    int n = e.path("data").path("n").asInt();
                    assertThat(n).as("publisher counter in %s", key).isEqualTo(nextN.getOrDefault(key, 0));
                    nextN.put(key, n + 1);
                }
                assertThat(nextN.values()).hasSize(ROOMS * PUBLISHERS).allMatch(v -> v == PER_PUBLISHER_PER_ROOM);
                assertThat(c.drain(Duration.ofMillis(100))).isEmpty();
            }
        } finally {
            clients.forEach(JdkWsClient::close);
        }
    }
}
