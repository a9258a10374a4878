package io.tickwire.gateway.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import io.tickwire.gateway.auth.TokenMinter;
import io.tickwire.gateway.testing.JdkWsClient;
import io.tickwire.gateway.testing.JdkWsClient.HandshakeRefused;
import io.tickwire.gateway.testing.JdkWsClient.TokenPlace;
import io.tickwire.gateway.testing.TestGateway;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The graceful drain over real sockets: the node turns not ready and refuses new connections, every client is
 * told to reconnect and is closed with 1012 at about the announced time, subscriptions are served until then,
 * and the closes are spread over the window rather than bunched.
 */
class DrainTest {

    private static final int CLIENTS = 150;
    private static final long WINDOW_MS = 4000;
    /** Between the announced time and the close the client sees: scheduling, a loaded machine. */
    private static final long LATE_MS = 1000;

    @Test
    void drainAnnouncesAndSpreadsTheClosesOverTheWindow() throws Exception {
        try (TestGateway gw = TestGateway.start(Map.of(
                "TICKWIRE_DRAIN_WINDOW_SECONDS", Long.toString(WINDOW_MS / 1000),
                "TICKWIRE_DRAIN_EXIT_DEADLINE_SECONDS", "15"))) {
            List<JdkWsClient> clients = connectAll(gw, CLIENTS);
            try {
                String admin = new TokenMinter(TestGateway.SECRET).mint("ops", List.of(), "tickwire:admin",
                        System.currentTimeMillis() + 60_000);
                assertThat(gw.get("/health/ready").statusCode()).isEqualTo(200);
                assertThat(gw.get("/health/ready").body())
                        .isEqualTo("{\"status\":\"ready\",\"bus\":\"ok\",\"coordination\":\"off\"}");

                long t0 = System.nanoTime();
                // closes are timed from now, by a watcher of their own, while this thread checks the refusals
                CompletableFuture<long[]> closes = CompletableFuture.supplyAsync(
                        () -> awaitCloses(clients, t0, WINDOW_MS + 5000));
                var reply = gw.post("/api/v1/drain", admin, "");

                assertThat(reply.statusCode()).isEqualTo(202);
                assertThat(reply.body()).contains("\"draining\":true").contains("\"window_ms\":" + WINDOW_MS)
                        .contains("\"connections\":" + CLIENTS);
                assertThat(gw.get("/health/ready").statusCode()).isEqualTo(503);
                assertThat(gw.get("/health/ready").body()).contains("\"status\":\"not_ready\"").contains("\"draining\":true");
                assertThat(gw.get("/health/live").statusCode()).isEqualTo(200);
                assertThat(gw.post("/api/v1/drain", admin, "").statusCode()).as("idempotent").isEqualTo(202);
                assertNewConnectionsRefused(gw);
                int marker = 4242;
                assertThat(gw.publish("{\"room\":\"price:DRN\",\"data\":{\"marker\":" + marker + "}}").statusCode())
                        .isEqualTo(200);

                long[] closedAtMs = closes.get();
                assertThat(closedAtMs).as("every client closed within %d ms", WINDOW_MS + 5000).doesNotContain(-1L);

                long[] announcedMs = new long[CLIENTS];
                for (int i = 0; i < CLIENTS; i++) {
                    JdkWsClient c = clients.get(i);
                    assertThat(c.awaitClose(Duration.ZERO)).as("client %d close code", i).isEqualTo(1012);
                    assertThat(c.closeReason()).isEqualTo("draining");
                    List<JsonNode> got = c.drain(Duration.ofMillis(1));
                    List<JsonNode> reconnects = got.stream().filter(n -> n.path("type").asText().equals("reconnect")).toList();
                    assertThat(reconnects).as("client %d: exactly one reconnect", i).hasSize(1);
                    JsonNode reconnect = reconnects.get(0);
                    assertThat(reconnect.path("reason").asText()).isEqualTo("draining");
                    announcedMs[i] = reconnect.path("after_ms").asLong(-1);
                    assertThat(announcedMs[i]).isBetween(0L, WINDOW_MS);
                    assertThat(closedAtMs[i]).as("client %d closed at %d ms, announced %d ms", i, closedAtMs[i], announcedMs[i])
                            .isBetween(announcedMs[i] - 50, announcedMs[i] + LATE_MS);
                    if (announcedMs[i] > 2000) { // long after the publish: its event must have come first
                        assertThat(got).as("client %d still served while draining", i)
                                .anyMatch(n -> n.path("type").asText().equals("event") && n.path("data").path("marker").asInt() == marker);
                    }
                }
                assertSpread(closedAtMs, announcedMs);
                assertThat(gw.gateway().drain()).as("the drain completes once the last connection is gone")
                        .succeedsWithin(Duration.ofSeconds(5));
                assertThat(gw.gateway().connections()).isZero();
            } finally {
                clients.forEach(JdkWsClient::close);
            }
        }
    }

    /** Connects {@code n} clients (one user each), subscribed to price:DRN, a few at a time. */
    private static List<JdkWsClient> connectAll(TestGateway gw, int n) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<JdkWsClient>> pending = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String token = gw.token("drainer-" + i);
                pending.add(pool.submit(() -> {
                    JdkWsClient c = JdkWsClient.connect(gw.wsUri(), token);
                    c.nextOfType("welcome");
                    c.send("{\"op\":\"subscribe\",\"id\":1,\"rooms\":[\"price:DRN\"]}");
                    c.nextOfType("subscribed");
                    return c;
                }));
            }
            List<JdkWsClient> clients = new ArrayList<>();
            for (Future<JdkWsClient> f : pending) {
                clients.add(f.get());
            }
            return clients;
        } finally {
            pool.shutdown();
        }
    }

    /** 503 with Retry-After without an Origin; a browser is upgraded and closed with 1012. */
    private static void assertNewConnectionsRefused(TestGateway gw) throws Exception {
        HandshakeRefused refused = catchThrowableOfType(HandshakeRefused.class,
                () -> JdkWsClient.connect(gw.wsUri(), gw.token("late")).close());
        assertThat(refused).as("a handshake during the drain").isNotNull();
        assertThat(refused.status).isEqualTo(503);
        try (Socket s = new Socket("127.0.0.1", gw.port())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                    + "Authorization: Bearer " + gw.token("late") + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String head = new String(in.readAllBytes(), StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
            assertThat(head).startsWith("http/1.1 503").contains("retry-after: 1").contains("draining");
        }
        try (JdkWsClient browser = JdkWsClient.connect(gw.wsUri(), gw.token("late"), TokenPlace.SUBPROTOCOL,
                TestGateway.ALLOWED_ORIGIN)) {
            assertThat(browser.awaitClose(Duration.ofSeconds(5))).isEqualTo(1012);
            assertThat(browser.drain(Duration.ofMillis(50))).as("no welcome").isEmpty();
        }
    }

    /** Milliseconds after {@code t0} at which each client saw its close. */
    private static long[] awaitCloses(List<JdkWsClient> clients, long t0, long timeoutMs) {
        long[] at = new long[clients.size()];
        Arrays.fill(at, -1);
        int left = clients.size();
        while (left > 0 && (System.nanoTime() - t0) / 1_000_000 < timeoutMs) {
            for (int i = 0; i < at.length; i++) {
                if (at[i] < 0 && clients.get(i).isClosed()) {
                    at[i] = (System.nanoTime() - t0) / 1_000_000;
                    left--;
                }
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return at;
    }

    /**
     * The closes cover the window: every quarter has its share, no tenth holds a crowd. Prints the histogram
     * (the numbers reported with the change).
     */
    private static void assertSpread(long[] closedAtMs, long[] announcedMs) {
        int[] tenths = new int[10];
        int[] announcedTenths = new int[10];
        for (int i = 0; i < closedAtMs.length; i++) {
            tenths[(int) Math.min(9, closedAtMs[i] * 10 / WINDOW_MS)]++;
            announcedTenths[(int) Math.min(9, announcedMs[i] * 10 / WINDOW_MS)]++;
        }
        long first = Arrays.stream(closedAtMs).min().orElse(-1);
        long last = Arrays.stream(closedAtMs).max().orElse(-1);
        long maxLate = 0;
        long sumLate = 0;
        for (int i = 0; i < closedAtMs.length; i++) {
            maxLate = Math.max(maxLate, closedAtMs[i] - announcedMs[i]);
            sumLate += closedAtMs[i] - announcedMs[i];
        }
        System.out.printf("drain spread: %d clients, window %d ms, closes from %d to %d ms; per tenth of the window:"
                        + " closes %s, announced %s; close - after_ms: mean %d ms, max %d ms%n",
                closedAtMs.length, WINDOW_MS, first, last, Arrays.toString(tenths), Arrays.toString(announcedTenths),
                sumLate / closedAtMs.length, maxLate);
        int n = closedAtMs.length;
        for (int q = 0; q < 4; q++) {
            long lo = q * WINDOW_MS / 4;
            long hi = (q + 1) * WINDOW_MS / 4;
            long inQuarter = Arrays.stream(closedAtMs).filter(t -> t >= lo && (t < hi || hi == WINDOW_MS)).count();
            assertThat(inQuarter).as("closes in quarter %d of the window (%d..%d ms)", q + 1, lo, hi)
                    .isGreaterThanOrEqualTo(n / 10);
        }
        for (int t = 0; t < 10; t++) {
            assertThat(tenths[t]).as("closes in tenth %d of the window", t + 1).isLessThanOrEqualTo(n * 35 / 100);
        }
        assertThat(last).as("the last close").isLessThanOrEqualTo(WINDOW_MS + LATE_MS);
        assertThat(first).as("the first close").isLessThan(WINDOW_MS / 10);
    }
}
