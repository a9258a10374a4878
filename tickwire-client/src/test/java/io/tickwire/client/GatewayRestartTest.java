package io.tickwire.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A gateway restart loses its in-memory history (a new epoch): the application is told, not given a gap. */
class GatewayRestartTest {

    @Test
    void afterARestartTheApplicationGetsResetThenTheNewEvents() throws Exception {
        LocalGateway first = LocalGateway.start();
        int port = first.port();
        Recorder app = new Recorder();
        try (TickwireClient client = TickwireClient.builder().urls(first.wsUrl())
                .tokenSupplier(() -> first.token("u-restart", "orders:5"))
                .backoff(Duration.ofMillis(50), Duration.ofMillis(200), 2).stateListener(app).build()) {
            client.connect().get(10, TimeUnit.SECONDS);
            Subscribed s = client.subscribe("orders:5", app).get(10, TimeUnit.SECONDS);
            for (int n = 1; n <= 3; n++) {
                first.publish("orders:5", "{\"n\":" + n + "}");
            }
            Recorder.await(Duration.ofSeconds(5), "3 events", () -> app.events.size() == 3);

            first.close();
            try (LocalGateway second = LocalGateway.start(Map.of("TICKWIRE_SERVER_PORT", String.valueOf(port)))) {
                Recorder.await(Duration.ofSeconds(10), "reset", () -> app.resets.size() == 1);
                Recorder.Reset reset = app.resets.get(0);
                assertThat(reset.room()).isEqualTo("orders:5");
                assertThat(reset.epoch()).isNotEqualTo(s.epoch());
                assertThat(reset.reason()).isNotBlank();
                assertThat(reset.eventsBefore()).isEqualTo(3);

                second.publish("orders:5", "{\"n\":4}"); // seq 1 in the new epoch: below the old position, yet new
                Recorder.await(Duration.ofSeconds(5), "event after reset", () -> app.events.size() == 4);
                assertThat(app.counters()).containsExactly(1L, 2L, 3L, 4L);
                assertThat(client.duplicatesDropped()).isZero();
                System.out.println("restart: reset " + reset + " then seq " + app.events.get(3).seq());
            }
        }
    }
}
