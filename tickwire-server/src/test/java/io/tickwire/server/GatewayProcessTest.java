package io.tickwire.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link GatewayProcess} on the in-memory bus: it starts a real node, reads its port, and kills or stops it. */
class GatewayProcessTest {

    @Test
    void startsANodeReadsItsPortAndEndsIt() throws Exception {
        try (GatewayProcess node = new GatewayProcess("solo", Map.of("TICKWIRE_DRAIN_WINDOW_SECONDS", "1",
                "TICKWIRE_DRAIN_EXIT_DEADLINE_SECONDS", "2"))) {
            node.start();
            assertThat(node.port()).isPositive();
            assertThat(node.wsUri()).isEqualTo("ws://127.0.0.1:" + node.port() + "/ws");
            node.waitReady(Duration.ofSeconds(20));

            HttpResponse<String> cluster = node.get("/api/v1/cluster", GatewayProcess.adminToken());
            assertThat(cluster.statusCode()).as(cluster.body()).isEqualTo(200);
            assertThat(cluster.body()).contains("\"node\":\"solo\"");

            HttpResponse<String> published = node.post("/api/v1/publish", GatewayProcess.publisherToken(),
                    "{\"room\":\"trades:T1\",\"data\":{\"n\":1},\"msg_id\":\"m1\"}");
            assertThat(published.statusCode()).as(published.body()).isEqualTo(200);

            node.stop(Duration.ofSeconds(20));
            assertThat(node.alive()).isFalse();
            assertThat(node.logTail(5)).contains("stopped");

            node.start(); // again, on a new port, with a new log file
            node.waitReady(Duration.ofSeconds(20));
            node.kill9();
            assertThat(node.alive()).isFalse();
        }
    }
}
