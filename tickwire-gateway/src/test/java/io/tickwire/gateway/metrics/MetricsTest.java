package io.tickwire.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.buffer.Unpooled;
import io.tickwire.gateway.testing.JdkWsClient;
import io.tickwire.gateway.testing.NettyWsClient;
import io.tickwire.gateway.testing.RawHandshake;
import io.tickwire.gateway.testing.TestGateway;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * {@code /metrics} counts what happened on real connections: opens and closes by code and side, refused
 * handshakes by reason, events by kind, frames and bytes, resumes by outcome, conflation, latency; and the
 * connection log has one line per open and close, with no token in it.
 */
class MetricsTest {

    @RegisterExtension
    static final TestGateway gw = TestGateway.perClass(Map.of());

    @Test
    void aConnectionResetByTheNetworkIsCountedAsLostNotAsAnInternalError() throws Exception {
        double lostBefore = closed("1006", "client");
        double internalBefore = closed("1011", "server");
        int before = gw.gateway().connections();
        try (RawHandshake c = RawHandshake.send(gw.port(), RawHandshake.request().token(gw.token("resetter")))) {
            assertThat(c.status).isEqualTo(101);
            awaitConnections(before + 1);
            c.reset();
        }
        awaitConnections(before);
        assertThat(closed("1006", "client")).isEqualTo(lostBefore + 1);
        assertThat(closed("1011", "server")).isEqualTo(internalBefore);
    }

    private static void awaitConnections(int n) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (gw.gateway().connections() != n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(gw.gateway().connections()).isEqualTo(n);
    }

    private static double closed(String code, String by) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^tickwire_connections_closed_total\\{by=\"" + by
                + "\",code=\"" + code + "\"} ([0-9.E+]+)$").matcher(gw.gateway().scrapeMetrics());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void eventsFramesBytesAndLatencyAreCountedPerKind() {
        String before = scrape();
        try (NettyWsClient c = NettyWsClient.connect(gw.wsUri(), gw.token("counted"))) {
            c.nextOfType("welcome");
            c.sendText("{\"op\":\"subscribe\",\"id\":1,\"rooms\":[\"trades:CNT\"]}");
            c.nextOfType("subscribed");
            for (int i = 0; i < 5; i++) {
                assertThat(gw.publish("{\"room\":\"trades:CNT\",\"data\":{\"n\":" + i + "}}").statusCode()).isEqualTo(200);
            }
            for (int i = 0; i < 5; i++) {
                assertThat(c.nextOfType("event").path("data").path("n").asInt()).isEqualTo(i);
            }
        }
        String after = scrape();
        assertThat(delta(before, after, "tickwire_events_received_total{kind=\"trades\"}")).isGreaterThanOrEqualTo(5);
        assertThat(delta(before, after, "tickwire_events_published_total{kind=\"trades\"}")).isGreaterThanOrEqualTo(5);
        assertThat(delta(before, after, "tickwire_events_delivered_total")).isGreaterThanOrEqualTo(5);
        // welcome + subscribed + 5 events at least, each at least a 2-byte header plus its JSON
        assertThat(delta(before, after, "tickwire_frames_delivered_total")).isGreaterThanOrEqualTo(7);
        assertThat(delta(before, after, "tickwire_delivered_bytes_total")).isGreaterThanOrEqualTo(7 * 20);
        assertThat(delta(before, after, "tickwire_fanout_latency_seconds_count")).isGreaterThanOrEqualTo(5);
        assertThat(delta(before, after, "tickwire_publish_to_write_seconds_count")).isGreaterThanOrEqualTo(5);
        assertThat(value(after, "tickwire_fanout_latency_seconds_bucket{le=\"+Inf\"}")).isGreaterThanOrEqualTo(5);
    }

    @Test
    void closesAreCountedByCodeAndSide() throws Exception {
        String before = scrape();
        try (NettyWsClient normal = NettyWsClient.connect(gw.wsUri(), gw.token("closer"));
             NettyWsClient binary = NettyWsClient.connect(gw.wsUri(), gw.token("binary"));
             NettyWsClient dropped = NettyWsClient.connect(gw.wsUri(), gw.token("dropper"))) {
            normal.nextOfType("welcome");
            binary.nextOfType("welcome");
            dropped.nextOfType("welcome");
            normal.sendFrame(new CloseWebSocketFrame(1000, "bye"));
            binary.sendFrame(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {1, 2, 3})));
            dropped.abort();
            assertThat(binary.awaitClose(Duration.ofSeconds(10))).isEqualTo(1003);
            normal.awaitClose(Duration.ofSeconds(10));
        }
        awaitMetric(before, "tickwire_connections_closed_total{by=\"client\",code=\"1000\"}", 1);
        awaitMetric(before, "tickwire_connections_closed_total{by=\"server\",code=\"1003\"}", 1);
        awaitMetric(before, "tickwire_connections_closed_total{by=\"client\",code=\"1006\"}", 1);
        assertThat(delta(before, scrape(), "tickwire_connections_opened_total")).isGreaterThanOrEqualTo(3);
    }

    @Test
    void refusedHandshakesAreCountedByReason() {
        String before = scrape();
        try (JdkWsClient c = JdkWsClient.connect(gw.wsUri(), "not-a-token")) {
            throw new AssertionError("a bad token was accepted");
        } catch (JdkWsClient.HandshakeRefused e) {
            assertThat(e.status).isEqualTo(401);
        }
        try (JdkWsClient c = JdkWsClient.connect(gw.wsUri(), gw.token("x"), JdkWsClient.TokenPlace.SUBPROTOCOL,
                "https://evil.example")) {
            throw new AssertionError("a foreign origin was accepted");
        } catch (JdkWsClient.HandshakeRefused e) {
            assertThat(e.status).isEqualTo(403);
        }
        String expired = new io.tickwire.gateway.auth.TokenMinter(TestGateway.SECRET)
                .mint("late", List.of(), "", System.currentTimeMillis() - 3_600_000);
        try (JdkWsClient c = JdkWsClient.connect(gw.wsUri(), expired)) {
            throw new AssertionError("an expired token was accepted");
        } catch (JdkWsClient.HandshakeRefused e) {
            assertThat(e.status).isEqualTo(401);
        }
        String after = scrape();
        assertThat(delta(before, after, "tickwire_handshakes_rejected_total{reason=\"unauthorized\"}")).isEqualTo(2);
        assertThat(delta(before, after, "tickwire_auth_failures_total{reason=\"malformed\"}")).isEqualTo(1);
        assertThat(delta(before, after, "tickwire_auth_failures_total{reason=\"expired\"}")).isEqualTo(1);
        assertThat(delta(before, after, "tickwire_handshakes_rejected_total{reason=\"origin\"}")).isEqualTo(1);
    }

    @Test
    void resumesAreCountedByOutcome() {
        JsonNode published = firstResult(gw.publish("{\"events\":[{\"room\":\"trades:RES\",\"data\":{}},"
                + "{\"room\":\"trades:RES\",\"data\":{}},{\"room\":\"trades:RES\",\"data\":{}}]}").body());
        long first = published.path("seq").asLong();
        String epoch = published.path("epoch").asText();
        String before = scrape();
        try (NettyWsClient c = NettyWsClient.connect(gw.wsUri(), gw.token("resumer"))) {
            c.nextOfType("welcome");
            c.sendText(resume(1, first, epoch));
            c.nextOfType("subscribed");
            c.nextOfType("event");
            c.nextOfType("event");
            unsubscribe(c);
            c.sendText(resume(3, first, "other-epoch"));
            c.nextOfType("reset");
            unsubscribe(c);
            c.sendText(resume(5, first + 1_000_000, epoch));
            c.nextOfType("reset");
            unsubscribe(c);
            c.sendText(resume(7, first + 2, epoch));
            assertThat(c.nextOfType("subscribed").path("seq").asLong()).isEqualTo(first + 2);
        }
        String after = scrape();
        assertThat(delta(before, after, "tickwire_resumes_total{outcome=\"replayed\"}")).isEqualTo(1);
        assertThat(delta(before, after, "tickwire_resumes_total{outcome=\"reset_epoch_changed\"}")).isEqualTo(1);
        assertThat(delta(before, after, "tickwire_resumes_total{outcome=\"reset_history_unavailable\"}")).isEqualTo(1);
        assertThat(delta(before, after, "tickwire_resumes_total{outcome=\"up_to_date\"}")).isEqualTo(1);
    }

    @Test
    void aStalledConflateReaderIsCountedAsConflated() throws Exception {
        String before = scrape();
        String blob = "x".repeat(32 * 1024);
        try (NettyWsClient c = NettyWsClient.connect(gw.wsUri(), gw.token("stalled"))) {
            c.nextOfType("welcome");
            c.sendText("{\"op\":\"subscribe\",\"id\":1,\"rooms\":[\"price:CONF\"]}");
            c.nextOfType("subscribed");
            c.setAutoRead(false);
            // far more than the socket buffers on both sides hold: the gateway's channel turns unwritable
            for (int batch = 0; batch < 8; batch++) {
                StringBuilder body = new StringBuilder("{\"events\":[");
                for (int i = 0; i < 60; i++) {
                    body.append(i == 0 ? "" : ",").append("{\"room\":\"price:CONF\",\"data\":{\"b\":\"").append(blob)
                            .append("\",\"n\":").append(batch * 60 + i).append("}}");
                }
                assertThat(gw.publish(body.append("]}").toString()).statusCode()).isEqualTo(200);
            }
            c.setAutoRead(true);
            // the newest state always arrives
            assertThat(c.next(m -> m.path("type").asText().equals("event") && m.path("data").path("n").asInt() == 479,
                    Duration.ofSeconds(20))).isNotNull();
        }
        assertThat(delta(before, scrape(), "tickwire_events_conflated_total")).isPositive();
    }

    @Test
    void operatingMetricsArePresent() throws Exception {
        Thread.sleep(1_500); // one loop-lag probe
        String s = scrape();
        assertThat(s).contains("tickwire_event_loop_lag_seconds{loop=\"0\"}", "tickwire_event_loop_lag_seconds{loop=\"1\"}",
                "tickwire_outbound_pending_bytes", "tickwire_outbound_pending_max_bytes", "tickwire_rooms", "tickwire_subscriptions", "jvm_memory_used_bytes",
                "process_files_open_files", "netty_allocator_memory_used",
                "tickwire_fanout_loop_overflows_total", "tickwire_operations_rate_limited_total",
                "tickwire_catchups_total", "tickwire_draining 0", "tickwire_revocations 0",
                "tickwire_operator_actions_total{action=\"drain\"} 0");
        assertThat(value(s, "tickwire_event_loop_lag_seconds{loop=\"0\"}")).isBetween(0.0, 5.0);
    }

    @Test
    void theConnectionLogHasOneLinePerOpenAndCloseWithoutTheToken() {
        Logger logger = (Logger) LoggerFactory.getLogger("tickwire.connections");
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        Level level = logger.getLevel();
        logger.setLevel(Level.INFO);
        logger.addAppender(lines);
        String token = gw.token("logged-user");
        try {
            try (NettyWsClient c = NettyWsClient.connect(gw.wsUri(), token)) {
                c.nextOfType("welcome");
                c.sendFrame(new CloseWebSocketFrame(4321, "done\nfake line"));
                c.awaitClose(Duration.ofSeconds(10));
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (lines.list.stream().noneMatch(e -> e.getFormattedMessage().contains("logged-user")
                    && e.getFormattedMessage().startsWith("close")) && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
        } finally {
            logger.detachAppender(lines);
            logger.setLevel(level);
        }
        List<String> mine = lines.list.stream().map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.contains("user=logged-user")).toList();
        assertThat(mine).hasSize(2);
        assertThat(mine.get(0)).startsWith("open session=").contains("addr=127.0.0.1");
        assertThat(mine.get(1)).startsWith("close session=").contains("addr=127.0.0.1", "duration_ms=", "code=4321",
                "by=client", "reason=\"done?fake line\"");
        assertThat(mine).noneMatch(m -> m.contains(token) || m.contains("\n"));
    }

    private static void unsubscribe(NettyWsClient c) {
        c.sendText("{\"op\":\"unsubscribe\",\"rooms\":[\"trades:RES\"]}");
        c.nextOfType("unsubscribed");
    }

    private static String resume(int id, long seq, String epoch) {
        return "{\"op\":\"subscribe\",\"id\":" + id + ",\"rooms\":[\"trades:RES\"],\"resume\":{\"trades:RES\":{\"seq\":"
                + seq + ",\"epoch\":\"" + epoch + "\"}}}";
    }

    private static JsonNode firstResult(String body) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(body).path("results").get(0);
        } catch (java.io.IOException e) {
            throw new AssertionError(body, e);
        }
    }

    private static String scrape() {
        return gw.get("/metrics").body();
    }

    private static void awaitMetric(String before, String name, double atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (delta(before, scrape(), name) < atLeast && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(delta(before, scrape(), name)).as(name).isGreaterThanOrEqualTo(atLeast);
    }

    private static double delta(String before, String after, String name) {
        return value(after, name) - valueOrZero(before, name);
    }

    private static double valueOrZero(String scrape, String name) {
        Matcher m = line(name).matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    static double value(String scrape, String name) {
        Matcher m = line(name).matcher(scrape);
        if (!m.find()) {
            throw new AssertionError(name + " not in\n" + scrape);
        }
        return Double.parseDouble(m.group(1));
    }

    private static Pattern line(String name) {
        return Pattern.compile("(?m)^" + Pattern.quote(name) + " ([0-9.E+-]+)$");
    }
}
