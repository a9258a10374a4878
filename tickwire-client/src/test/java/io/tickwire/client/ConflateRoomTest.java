package io.tickwire.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A conflate room hands the application the room's newest state: as a snapshot on subscribe and on resume. */
class ConflateRoomTest {

    @Test
    void theNewestStateArrivesOnSubscribeAndAfterAConnectionReset() throws Exception {
        try (LocalGateway gw = LocalGateway.start();
                CuttingProxy proxy = CuttingProxy.to(gw.port())) {
            gw.publish("price:AAPL", "{\"n\":1}");
            Recorder app = new Recorder();
            try (TickwireClient client = TickwireClient.builder().urls(proxy.wsUrl()).tokenSupplier(() -> gw.token("u-px"))
                    .backoff(Duration.ofMillis(300), Duration.ofMillis(400), 2).build()) {
                client.connect().get(10, TimeUnit.SECONDS);
                Subscribed s = client.subscribe("price:AAPL", app).get(10, TimeUnit.SECONDS);
                assertThat(s.mode()).isEqualTo("conflate");
                Recorder.await(Duration.ofSeconds(5), "snapshot", () -> app.snapshots.size() == 1);
                assertThat(app.snapshots.get(0).data().path("n").asLong()).isEqualTo(1);

                assertThat(proxy.cut()).isEqualTo(1);
                gw.publish("price:AAPL", "{\"n\":2}"); // while the client waits at least 300 ms to reconnect
                gw.publish("price:AAPL", "{\"n\":3}");
                Recorder.await(Duration.ofSeconds(5), "the newest state after resume", () -> app.snapshots.size() == 2);
                assertThat(app.snapshots.get(1).data().path("n").asLong()).isEqualTo(3);
                assertThat(app.resets).isEmpty();

                gw.publish("price:AAPL", "{\"n\":4}");
                Recorder.await(Duration.ofSeconds(5), "live event", () -> app.events.size() == 1);
                assertThat(app.counters()).containsExactly(4L);
                assertThat(client.connections()).isEqualTo(2);
            }
        }
    }
}
