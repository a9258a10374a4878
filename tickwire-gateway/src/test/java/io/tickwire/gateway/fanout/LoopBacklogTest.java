package io.tickwire.gateway.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.channel.EventLoop;
import io.tickwire.gateway.testing.JdkWsClient;
import io.tickwire.gateway.testing.TestGateway;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * When the event loops fall far behind the publishers, deliveries stop being queued one per event
 * (which would grow without bound) and subscribers catch up from history instead: still complete and in
 * order.
 */
class LoopBacklogTest {

    @Test
    void eventsPublishedWhileEveryLoopIsStalledArriveCompleteAndInOrder() throws Exception {
        int total = Fanout.MAX_QUEUED_DELIVERIES + 800; // past the bound, within the room's history (10000)
        try (TestGateway gw = TestGateway.start();
             JdkWsClient c = JdkWsClient.connect(gw.wsUri(), gw.token("stalled", "account:*"))) {
            c.nextOfType("welcome");
            c.send("{\"op\":\"subscribe\",\"id\":1,\"rooms\":[\"account:stall\",\"price:STALL\"]}");
            c.nextOfType("subscribed");
            c.nextOfType("subscribed");
            CountDownLatch release = new CountDownLatch(1);
            for (EventLoop loop : gw.gateway().eventLoops()) {
                loop.execute(() -> {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
            for (int n = 0; n < total; n++) {
                gw.gateway().bus().publish("account:stall", ("{\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8), null)
                        .toCompletableFuture().join();
                gw.gateway().bus().publish("price:STALL", ("{\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8), null)
                        .toCompletableFuture().join();
            }
            release.countDown();
            int nextAccount = 0;
            int lastPrice = -1;
            while (nextAccount < total || lastPrice < total - 1) {
                JsonNode e = c.next(Duration.ofSeconds(20));
                assertThat(e.path("type").asText()).as("%s", e).isEqualTo("event");
                int n = e.path("data").path("n").asInt();
                if (e.path("room").asText().equals("account:stall")) {
                    assertThat(n).isEqualTo(nextAccount++);
                } else {
                    assertThat(n).as("conflate order").isGreaterThan(lastPrice);
                    lastPrice = n;
                }
            }
            assertThat(c.drain(Duration.ofMillis(200))).isEmpty();
            String metrics = gw.get("/metrics").body();
            assertThat(metrics).as("the bound was reached and rooms switched to catch-up")
                    .containsPattern("tickwire_fanout_loop_overflows_total [1-9]");
        }
    }
}
