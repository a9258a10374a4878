package io.tickwire.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * The client's central promise: while events flow into a reliable room and its TCP connection is reset
 * again and again (RST, as a failing network or load balancer does it), the application receives every
 * event exactly once and in order.
 */
class ExactlyOnceAcrossResetsTest {

    private static final int EVENTS = 8000;
    private static final int CUTS = 12;

    @Test
    void everyEventArrivesOnceAndInOrderThroughRepeatedConnectionResets() throws Exception {
        try (LocalGateway gw = LocalGateway.start();
                CuttingProxy proxy = CuttingProxy.to(gw.port())) {
            Recorder app = new Recorder();
            try (TickwireClient client = TickwireClient.builder().urls(proxy.wsUrl())
                    .tokenSupplier(() -> gw.token("trader-1", "orders:1"))
                    .backoff(Duration.ofMillis(50), Duration.ofMillis(300), 2.0)
                    .stateListener(app).build()) {
                client.connect().get(10, TimeUnit.SECONDS);
                client.subscribe("orders:1", app).get(10, TimeUnit.SECONDS);

                AtomicLong published = new AtomicLong();
                AtomicBoolean failed = new AtomicBoolean();
                Thread publisher = new Thread(() -> {
                    try {
                        for (int n = 1; n <= EVENTS; n++) {
                            gw.publish("orders:1", "{\"n\":" + n + ",\"qty\":100}");
                            published.set(n);
                            if (n % 4 == 0) {
                                Thread.sleep(1);
                            }
                        }
                    } catch (InterruptedException | RuntimeException e) {
                        failed.set(true);
                    }
                }, "publisher");
                publisher.start();
                Recorder.await(Duration.ofSeconds(10), "events flowing", () -> published.get() >= 100);

                int cuts = 0;
                List<Long> publishedAtCut = new ArrayList<>();
                while (cuts < CUTS) {
                    long before = client.connections();
                    // every other cut lands just after the welcome, while the resume's replay is in flight
                    Thread.sleep(cuts % 2 == 0 ? 2 + cuts : 150 + 50 * (cuts % 3));
                    if (proxy.cut() > 0) {
                        cuts++;
                        publishedAtCut.add(published.get());
                    }
                    Recorder.await(Duration.ofSeconds(10), "reconnect after cut " + cuts,
                            () -> client.connections() > before && client.state() == ConnectionState.CONNECTED);
                }
                publisher.join(60_000);
                assertThat(failed).isFalse();
                Recorder.await(Duration.ofSeconds(30), "all " + EVENTS + " events", () -> app.events.size() >= EVENTS);
                Thread.sleep(200); // anything extra (a duplicate) would arrive now

                List<Long> received = app.counters();
                long duplicates = received.size() - received.stream().distinct().count();
                long losses = EVENTS - received.stream().distinct().count();
                System.out.printf("exactly-once: %d cuts (RST) at published=%s, %d events published, %d received, "
                        + "%d connections, %d duplicates dropped by the client, %d duplicates delivered, %d losses, "
                        + "%d resets%n", cuts, publishedAtCut, EVENTS, received.size(), client.connections(),
                        client.duplicatesDropped(), duplicates, losses, app.resets.size());

                assertThat(cuts).isEqualTo(CUTS);
                assertThat(publishedAtCut).as("the cuts happened while events flowed")
                        .allMatch(p -> p > 0 && p < EVENTS);
                assertThat(client.connections()).isGreaterThanOrEqualTo(CUTS + 1);
                assertThat(app.resets).as("every resume was served from history").isEmpty();
                assertThat(received).containsExactlyElementsOf(LongStream.rangeClosed(1, EVENTS).boxed().toList());
                assertThat(app.events).extracting(Recorder.Event::seq).isSorted().doesNotHaveDuplicates();
                assertThat(app.threads).as("listeners run on the client's one thread").containsOnly(app.threads.get(0));
            }
        }
    }
}
