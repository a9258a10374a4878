package io.tickwire.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.tickwire.testsupport.TcpProxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A node cut off from NATS while another publishes more than a room's retention: when it reconnects, the events it
 * never received are gone from the stream. Its subscriber of that room must not skip them silently: it is told
 * (4008, then {@code reset} {@code history_unavailable} on its resume), while a node that stayed connected delivers
 * every event.
 */
class NodeCutOffTest {

    @Test
    void aNodeThatMissedDiscardedEventsMakesItsSubscribersResetInsteadOfSkipping() throws Exception {
        String room = "orders:7";
        try (Farm farm = new Farm(false)) {
            farm.env("TICKWIRE_ROOMS_KINDS_ORDERS_HISTORY_EVENTS", "5"); // JetStream keeps 5 messages per room
            GatewayProcess b = farm.start("b").get(0);
            TcpProxy proxy = farm.closeLater(new TcpProxy(farm.nats.port()));
            Map<String, String> env = farm.nodeEnv();
            env.put("TICKWIRE_BUS_NATS_URLS", "nats://127.0.0.1:" + proxy.port());
            GatewayProcess a = farm.closeLater(new GatewayProcess("a", env));
            a.start();
            a.waitReady(Farm.READY);

            String token = GatewayProcess.token("olga", room);
            FarmClient onA = farm.closeLater(new FarmClient("on-a", token, null, a.wsUri())).connect(room);
            FarmClient onB = farm.closeLater(new FarmClient("on-b", token, null, b.wsUri())).connect(room);
            Connection nc = farm.natsConnection();
            Publisher.Sender nats = Publisher.nats(nc, Farm.SUBJECT_PREFIX);
            for (int n = 1; n <= 3; n++) { // events 1-3, seen by both
                assertThat(nats.send(room, "p-" + n, "{\"pub\":\"p\",\"n\":" + n + "}")).isTrue();
            }
            FarmTest.await(Duration.ofSeconds(10), () -> onA.counters(room, "p").size() == 3, () -> "3 events on a");

            proxy.cut();
            FarmTest.await(Duration.ofSeconds(10), () -> status(a) == 503, () -> "a not ready while cut off");
            for (int n = 4; n <= 23; n++) { // 20 events: 15 of them discarded before a returns
                assertThat(nats.send(room, "p-" + n, "{\"pub\":\"p\",\"n\":" + n + "}")).isTrue();
            }
            proxy.restore();
            FarmTest.await(Duration.ofSeconds(20), () -> status(a) == 200, () -> "a ready again");
            assertThat(nats.send(room, "p-24", "{\"pub\":\"p\",\"n\":24}")).isTrue();

            FarmTest.await(Duration.ofSeconds(20), () -> !onA.resets().isEmpty(), () -> "a reset on a: " + onA.events(room));
            // the reset's position is the room's latest seq when the client resumed (event 24's, or 23's): what
            // comes after it arrives as before
            assertThat(nats.send(room, "p-25", "{\"pub\":\"p\",\"n\":25}")).isTrue();
            FarmTest.await(Duration.ofSeconds(20), () -> onA.counters(room, "p").contains(25L), () -> "event 25 on a");
            assertThat(onA.resets()).extracting(FarmClient.Reset::reason).containsOnly("history_unavailable");
            List<Long> seen = onA.counters(room, "p");
            assertThat(seen).as("no event of the discarded range, none skipped silently").startsWith(1L, 2L, 3L)
                    .doesNotContainAnyElementsOf(List.of(4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L, 16L, 17L, 18L));
            FarmTest.await(Duration.ofSeconds(10), () -> onB.counters(room, "p").size() == 25, () -> "25 events on b");
            assertThat(onB.resets()).as("b never lost touch").isEmpty();
            assertThat(a.logTail(400)).contains("were discarded before this node consumed them");
            // "lost" here: the events retention discarded while a was cut off, which its client was told of by a reset
            FarmTest.report("node-cut-off", new FarmTest.Counts(25, seen.size(), 25 - seen.size(), 0),
                    Map.of("resets_on_a", onA.resets().size(), "reset_reason", onA.resets().get(0).reason(),
                            "events_on_b", onB.counters(room, "p").size()));
        }
    }

    private static int status(GatewayProcess node) {
        try {
            return node.get("/health/ready").statusCode();
        } catch (Exception e) {
            return 0;
        }
    }
}
