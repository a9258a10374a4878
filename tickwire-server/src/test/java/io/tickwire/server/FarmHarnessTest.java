package io.tickwire.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.PublishOptions;
import io.nats.client.api.PublishAck;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.tickwire.testsupport.NatsServerProcess;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The farm tests' own tools checked where they need no farm: clients, the HTTP publisher, the counts, 4001 and 401
 * detection on one in-memory node; the JetStream publisher, the subject mapping and a NATS restart on its store
 * against a bare nats-server.
 */
class FarmHarnessTest {

    @Test
    void countsAndRevocationOnOneMemoryNode() throws Exception {
        String orders = "orders:5";
        String trades = "trades:X";
        try (GatewayProcess node = new GatewayProcess("memory").start()) {
            node.waitReady(Duration.ofSeconds(30));
            String token = GatewayProcess.token("gina", orders);
            try (FarmClient one = new FarmClient("one", token, null, node.wsUri()).connect(orders, trades);
                 FarmClient two = new FarmClient("two", GatewayProcess.token("hank", orders), null, node.wsUri())
                         .connect(orders);
                 Publisher p = new Publisher("p", List.of(orders, trades), 100, Publisher.http(() -> node))) {
                p.start();
                Thread.sleep(2_000);
                p.stop();
                FarmTest.awaitAllDelivered(List.of(one, two), List.of(p), List.of(orders, trades));
                FarmTest.Counts counts = FarmTest.counts(List.of(one, two), List.of(p), List.of(orders, trades));
                assertThat(counts.published()).isEqualTo(p.published(orders).size() * 2L + p.published(trades).size());
                assertThat(counts.received()).isEqualTo(counts.published());
                counts.assertExactlyOnce();
                assertThat(one.orderViolations()).isEmpty();
                assertThat(FarmTest.seqEpochs(one, orders)).isEqualTo(FarmTest.seqEpochs(two, orders));
                assertThat(one.epoch(orders)).isNotNull();

                assertThat(FarmTest.handshakeStatus(node, token)).isEqualTo(101);
                long revokedAt = System.nanoTime();
                HttpResponse<String> revoke = node.post("/api/v1/revoke", GatewayProcess.adminToken(),
                        "{\"user\":\"gina\"}");
                assertThat(revoke.statusCode()).as(revoke.body()).isEqualTo(200);
                FarmTest.await(Duration.ofSeconds(5), () -> one.closedWith(4001, revokedAt) > 0,
                        () -> "4001 on one: " + one.states());
                assertThat(two.closedWith(4001, revokedAt)).isEqualTo(-1);
                assertThat(FarmTest.handshakeStatus(node, token)).isEqualTo(401);
            }
        }
    }

    @Test
    @SuppressWarnings("try") // Connection.close may throw InterruptedException: the test passes it on
    void publishesToJetStreamWithIdsThatSurviveARestart() throws Exception {
        assertThat(Subjects.of("tickwire", "price:BRK.B")).isEqualTo("tickwire.price.BRK%2EB");
        assertThat(Subjects.of("tickwire", "x:a*b c>")).isEqualTo("tickwire.x.a%2Ab%20c%3E");
        assertThat(Subjects.of("tickwire", "account:a_b")).isEqualTo("tickwire.account.a_b");

        try (NatsServerProcess nats = new NatsServerProcess()) {
            nats.start();
            Connection nc = io.nats.client.Nats.connect(io.nats.client.Options.builder().server(nats.url())
                    .maxReconnects(-1).reconnectWait(Duration.ofMillis(100))
                    .errorListener(new io.nats.client.ErrorListener() {}).build());
            try (nc) {
                JetStreamManagement jsm = nc.jetStreamManagement();
                jsm.addStream(StreamConfiguration.builder().name("TICKWIRE_ORDERS").subjects("tickwire.orders.>")
                        .storageType(StorageType.File).build());
                try (Publisher p = new Publisher("p", List.of("orders:1", "orders:2"), 200,
                        Publisher.nats(nc, "tickwire"))) {
                    p.start();
                    Thread.sleep(500);
                    nats.stop();
                    Thread.sleep(1_000);
                    nats.start();
                    Thread.sleep(500);
                    p.stop();
                    long stored = jsm.getStreamInfo("TICKWIRE_ORDERS").getStreamState().getMsgCount();
                    assertThat(stored).as("stored after a restart with retries (%d)", p.retries())
                            .isEqualTo(p.publishedCount());
                    // no assertion on p.retries(): a publish made while the server is down may wait in jnats'
                    // reconnect buffer and be acknowledged after the restart, within its timeout
                    PublishAck again = nc.jetStream().publish("tickwire.orders.1",
                            "{\"pub\":\"p\",\"n\":1}".getBytes(StandardCharsets.UTF_8),
                            PublishOptions.builder().messageId("orders:1/p-1").build());
                    assertThat(again.isDuplicate()).isTrue();
                    assertThat(again.getSeqno()).isEqualTo(1);
                }
            }
        }
    }
}
