package io.tickwire.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickwire.gateway.testing.NettyWsClient;
import io.tickwire.gateway.testing.TestGateway;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A conflate reader never falls out of history, so a client that stops reading for good is ended by
 * {@code outbound.max-unwritable-ms}: closed with 4008 once its connection has taken nothing for that long,
 * while a reader that keeps up stays.
 */
class UnwritableTimeoutTest {

    @RegisterExtension
    static final TestGateway gw = TestGateway.perClass(Map.of(
                "TICKWIRE_OUTBOUND_MAX_UNWRITABLE_MS", "1000",
                "TICKWIRE_OUTBOUND_HIGH_WATER_BYTES", "16384",
                "TICKWIRE_OUTBOUND_LOW_WATER_BYTES", "8192",
                "TICKWIRE_OUTBOUND_SOCKET_SEND_BUFFER_BYTES", "8192"));
    static final String PAD = "y".repeat(4000);

    @Test
    void aConflateReaderThatStopsReadingIsClosedAfterTheUnwritableTime() throws Exception {
        double before = closed4008();
        try (NettyWsClient stalled = NettyWsClient.connect(gw.wsUri(), gw.token("stalled"));
             NettyWsClient reading = NettyWsClient.connect(gw.wsUri(), gw.token("reading"))) {
            for (NettyWsClient c : new NettyWsClient[] {stalled, reading}) {
                c.nextOfType("welcome");
                c.sendText("{\"op\":\"subscribe\",\"id\":1,\"rooms\":[\"price:STUCK\"]}");
                c.nextOfType("subscribed");
            }
            stalled.setAutoRead(false);
            long t0 = System.nanoTime();
            int n = 0;
            // keep events flowing (the stalled one's socket buffers fill, then its channel stays unwritable)
            while (closed4008() < before + 1 && System.nanoTime() - t0 < Duration.ofSeconds(20).toNanos()) {
                for (int i = 0; i < 50; i++, n++) {
                    gw.gateway().bus().publish("price:STUCK",
                            ("{\"n\":" + n + ",\"pad\":\"" + PAD + "\"}").getBytes(StandardCharsets.UTF_8), null)
                            .toCompletableFuture().join();
                }
                Thread.sleep(50);
            }
            long tookMs = (System.nanoTime() - t0) / 1_000_000;
            assertThat(closed4008()).as("closed with 4008 within %d ms", tookMs).isEqualTo(before + 1);
            assertThat(tookMs).isGreaterThanOrEqualTo(1000);
            stalled.setAutoRead(true);
            stalled.awaitClose(Duration.ofSeconds(10)); // its close frame was behind what it never read
            assertThat(stalled.isClosed()).isTrue();
            // the reader that kept up is still served, and has the newest state
            int last = n - 1;
            assertThat(reading.next(m -> m.path("data").path("n").asInt() == last, Duration.ofSeconds(10))).isNotNull();
            reading.sendText("{\"op\":\"ping\",\"id\":7}");
            assertThat(reading.nextOfType("pong").path("id").asInt()).isEqualTo(7);
        }
    }

    private static double closed4008() {
        Matcher m = Pattern.compile("(?m)^tickwire_connections_closed_total\\{by=\"server\",code=\"4008\"} ([0-9.E+]+)$")
                .matcher(gw.get("/metrics").body());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
