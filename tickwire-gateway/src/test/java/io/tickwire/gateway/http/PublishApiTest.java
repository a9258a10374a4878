package io.tickwire.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tickwire.gateway.auth.TokenMinter;
import io.tickwire.gateway.testing.JdkWsClient;
import io.tickwire.gateway.testing.NettyWsClient;
import io.tickwire.gateway.testing.TestGateway;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code POST /api/v1/publish} (contract §7) and the operating endpoints (§8), over real HTTP. */
class PublishApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String PUBLISH = "/api/v1/publish";

    static TestGateway gw;
    static TokenMinter minter;

    @BeforeAll
    static void start() {
        gw = TestGateway.start();
        minter = new TokenMinter(TestGateway.SECRET);
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    private static String tokenWithScope(String scope) {
        return minter.mint("svc", List.of(), scope, System.currentTimeMillis() + 3_600_000);
    }

    private static JsonNode json(HttpResponse<String> r) {
        try {
            return JSON.readTree(r.body());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + r.body(), e);
        }
    }

    /** A 200 reply's results. */
    private static JsonNode results(HttpResponse<String> r) {
        assertThat(r.statusCode()).as("body %s", r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode results = json(r).path("results");
        assertThat(results.isArray()).as("body %s", r.body()).isTrue();
        return results;
    }

    /**
     * Asserts the contract's error shape with {@code status} and {@code code} (any non-blank code if null),
     * and returns the inner {@code error} object.
     */
    private static JsonNode error(HttpResponse<String> r, int status, String code) {
        assertThat(r.statusCode()).as("body %s", r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode body = json(r);
        assertThat(body.size()).as("body %s", r.body()).isEqualTo(1);
        JsonNode err = body.path("error");
        assertThat(err.isObject()).as("body %s", r.body()).isTrue();
        if (code != null) {
            assertThat(err.path("code").asText()).as("body %s", r.body()).isEqualTo(code);
        } else {
            assertThat(err.path("code").asText()).as("body %s", r.body()).isNotBlank();
        }
        assertThat(err.path("message").isTextual()).as("body %s", r.body()).isTrue();
        assertThat(err.path("message").asText()).isNotBlank();
        return err;
    }

    private static void assertIndex(JsonNode err, int index) {
        assertThat(err.path("index").isInt()).as("error %s", err).isTrue();
        assertThat(err.path("index").asInt()).as("error %s", err).isEqualTo(index);
    }

    /** A client subscribed to {@code room} (a reliable or never-published room: no snapshot follows). */
    private static JdkWsClient subscriber(String room) {
        JdkWsClient c = JdkWsClient.connect(gw.wsUri(), gw.token("watcher", "account:1"));
        c.nextOfType("welcome");
        c.send("{\"op\":\"subscribe\",\"id\":1,\"rooms\":[\"" + room + "\"]}");
        JsonNode sub = c.next();
        assertThat(sub.path("type").asText()).as("reply %s", sub).isEqualTo("subscribed");
        return c;
    }

    /**
     * Proves nothing else reached {@code c}: publishes a sentinel to {@code room} and asserts it is the very
     * next message.
     */
    private static void assertNothingBeforeSentinel(JdkWsClient c, String room) {
        assertThat(results(gw.publish("{\"room\":\"" + room + "\",\"data\":{\"sentinel\":true}}")).size()).isEqualTo(1);
        JsonNode next = c.next();
        assertThat(next.path("type").asText()).as("message %s", next).isEqualTo("event");
        assertThat(next.path("data").path("sentinel").asBoolean()).as("message %s", next).isTrue();
    }

    // ---- success ----

    @Test
    void singlePublishReturnsItsSeqAndReachesSubscribers() {
        try (JdkWsClient c = subscriber("trades:SINGLE")) {
            JsonNode r1 = results(gw.publish("{\"room\":\"trades:SINGLE\",\"data\":{\"n\":1}}"));
            assertThat(r1).hasSize(1);
            assertThat(r1.get(0).path("room").asText()).isEqualTo("trades:SINGLE");
            long seq1 = r1.get(0).path("seq").asLong();
            assertThat(seq1).isPositive();
            assertThat(r1.get(0).has("duplicate")).isFalse();
            JsonNode r2 = results(gw.publish("{\"room\":\"trades:SINGLE\",\"data\":{\"n\":2}}"));
            assertThat(r2.get(0).path("seq").asLong()).isGreaterThan(seq1);

            JsonNode e1 = c.next();
            JsonNode e2 = c.next();
            assertThat(e1.path("type").asText()).isEqualTo("event");
            assertThat(e1.path("seq").asLong()).isEqualTo(seq1);
            assertThat(e1.path("data").path("n").asInt()).isEqualTo(1);
            assertThat(e2.path("seq").asLong()).isEqualTo(r2.get(0).path("seq").asLong());
            assertThat(e2.path("data").path("n").asInt()).isEqualTo(2);
        }
    }

    @Test
    void batchResultsComeInRequestOrderWithSeqIncreasingPerRoom() {
        List<String> rooms = List.of("trades:BA", "price:BB", "trades:BA", "trades:BC", "price:BB", "trades:BA");
        StringBuilder body = new StringBuilder("{\"events\":[");
        for (int i = 0; i < rooms.size(); i++) {
            body.append(i == 0 ? "" : ",").append("{\"room\":\"").append(rooms.get(i)).append("\",\"data\":{\"i\":").append(i).append("}}");
        }
        body.append("]}");
        try (JdkWsClient c = subscriber("trades:BA")) {
            JsonNode results = results(gw.publish(body.toString()));
            assertThat(results).hasSize(rooms.size());
            Map<String, Long> lastSeq = new HashMap<>();
            long[] baSeqs = new long[3];
            int ba = 0;
            for (int i = 0; i < rooms.size(); i++) {
                JsonNode r = results.get(i);
                assertThat(r.path("room").asText()).as("result %d", i).isEqualTo(rooms.get(i));
                long seq = r.path("seq").asLong();
                assertThat(seq).as("result %d", i).isGreaterThan(lastSeq.getOrDefault(rooms.get(i), 0L));
                lastSeq.put(rooms.get(i), seq);
                if (rooms.get(i).equals("trades:BA")) {
                    baSeqs[ba++] = seq;
                }
            }
            // the subscriber gets trades:BA's three events, in order, with the seqs the reply named
            for (int k = 0; k < 3; k++) {
                JsonNode e = c.next();
                assertThat(e.path("type").asText()).isEqualTo("event");
                assertThat(e.path("seq").asLong()).isEqualTo(baSeqs[k]);
                assertThat(e.path("data").path("i").asInt()).isEqualTo(List.of(0, 2, 5).get(k));
            }
            assertNothingBeforeSentinel(c, "trades:BA");
        }
    }

    @Test
    void dataIsPassedThroughUntouched() {
        List<String> data = List.of("{\"bid\":189.31,\"ask\":189.33}", "\"a\\\"b\"", "42", "-1.5e3",
                "[1,{\"x\":null},\"\u00e9\u20ac\"]", "true", "{}", "{ \"spaced\" : [ 1 , 2 ] }");
        try (JdkWsClient c = subscriber("trades:RAW")) {
            for (String d : data) {
                results(gw.publish("{\"room\":\"trades:RAW\",\"data\":" + d + "}"));
            }
            for (String d : data) {
                JsonNode e = c.next();
                assertThat(e.path("type").asText()).isEqualTo("event");
                try {
                    assertThat(e.path("data")).as("data %s", d).isEqualTo(JSON.readTree(d));
                } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
                    throw new AssertionError(ex);
                }
            }
        }
    }

    // ---- idempotence ----

    @Test
    void sameMsgIdTwiceGivesTheSameSeqAndOneEvent() {
        try (JdkWsClient c = subscriber("trades:IDEM")) {
            String body = "{\"room\":\"trades:IDEM\",\"data\":{\"n\":1},\"msg_id\":\"fill-9912\"}";
            JsonNode first = results(gw.publish(body)).get(0);
            JsonNode second = results(gw.publish(body)).get(0);
            assertThat(first.has("duplicate")).as("first %s", first).isFalse();
            assertThat(second.path("duplicate").asBoolean()).as("second %s", second).isTrue();
            assertThat(second.path("seq").asLong()).isEqualTo(first.path("seq").asLong());
            assertThat(second.path("room").asText()).isEqualTo("trades:IDEM");

            JsonNode e = c.next();
            assertThat(e.path("type").asText()).isEqualTo("event");
            assertThat(e.path("seq").asLong()).isEqualTo(first.path("seq").asLong());
            assertNothingBeforeSentinel(c, "trades:IDEM");
        }
    }

    @Test
    void aRetriedBatchGetsTheOriginalSeqsAndPublishesNothing() {
        try (JdkWsClient c = subscriber("trades:IDEMB")) {
            String body = "{\"events\":[{\"room\":\"trades:IDEMB\",\"data\":{\"n\":1},\"msg_id\":\"b-1\"},"
                    + "{\"room\":\"trades:IDEMB\",\"data\":{\"n\":2},\"msg_id\":\"b-2\"}]}";
            JsonNode first = results(gw.publish(body));
            JsonNode retry = results(gw.publish(body));
            for (int i = 0; i < 2; i++) {
                assertThat(retry.get(i).path("seq").asLong()).isEqualTo(first.get(i).path("seq").asLong());
                assertThat(retry.get(i).path("duplicate").asBoolean()).isTrue();
            }
            assertThat(c.next().path("data").path("n").asInt()).isEqualTo(1);
            assertThat(c.next().path("data").path("n").asInt()).isEqualTo(2);
            assertNothingBeforeSentinel(c, "trades:IDEMB");
        }
    }

    // ---- errors ----

    @ParameterizedTest
    @ValueSource(strings = {"{\"room\":", "not json", "", "[{\"room\":\"trades:X\",\"data\":{}}]", "42",
            "{\"room\":\"trades:X\",\"data\":{}} {}", "{\"room\":\"trades:X\",\"data\":{\"a\":}}"})
    void malformedBodyIs400(String body) {
        JsonNode err = error(gw.publish(body), 400, "bad_request");
        assertThat(err.has("index")).isFalse();
    }

    @Test
    void invalidRoomIs400() {
        for (String room : List.of("PRICE:AAPL", "price:", "price:AA PL", "price:" + "A".repeat(65), "nocolon")) {
            error(gw.publish("{\"room\":\"" + room + "\",\"data\":{}}"), 400, "bad_request");
        }
        error(gw.publish("{\"room\":42,\"data\":{}}"), 400, "bad_request");
    }

    @Test
    void invalidRoomInABatchIs400WithItsIndexAndPublishesNothing() {
        try (JdkWsClient c = subscriber("trades:ATOMIC")) {
            String body = "{\"events\":[{\"room\":\"trades:ATOMIC\",\"data\":{\"n\":0}},"
                    + "{\"room\":\"trades:ATOMIC\",\"data\":{\"n\":1}},"
                    + "{\"room\":\"Trades:ATOMIC\",\"data\":{\"n\":2}},"
                    + "{\"room\":\"trades:ATOMIC\",\"data\":{\"n\":3}}]}";
            assertIndex(error(gw.publish(body), 400, "bad_request"), 2);
            assertNothingBeforeSentinel(c, "trades:ATOMIC");
        }
    }

    @Test
    void missingOrNullDataIs400() {
        error(gw.publish("{\"room\":\"trades:NODATA\"}"), 400, "bad_request");
        error(gw.publish("{\"room\":\"trades:NODATA\",\"data\":null}"), 400, "bad_request");
        error(gw.publish("{\"data\":{}}"), 400, "bad_request");
        try (JdkWsClient c = subscriber("trades:NODATA")) {
            String batch = "{\"events\":[{\"room\":\"trades:NODATA\",\"data\":{}},{\"room\":\"trades:NODATA\"}]}";
            assertIndex(error(gw.publish(batch), 400, "bad_request"), 1);
            assertNothingBeforeSentinel(c, "trades:NODATA");
        }
    }

    /** POSTs raw bytes as a publish body with a publisher token. */
    private static HttpResponse<String> publishBytes(byte[] body) {
        HttpRequest req = HttpRequest.newBuilder(gw.httpUri(PUBLISH)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + gw.publisherToken())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        try {
            return HTTP.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /**
     * JSON is UTF-8 (RFC 8259 §8.1) and every WebSocket text frame must be valid UTF-8 (RFC 6455 §8.1): data
     * that is not valid UTF-8 is bad JSON (400), and must never reach a subscriber, whose client would
     * fail the connection (1007).
     */
    @ParameterizedTest
    @ValueSource(strings = {"C328", "80", "C0AF", "EDA080", "F4908080", "F880808080", "E282"})
    void dataThatIsNotValidUtf8Is400AndNeverReachesSubscribers(String hex) {
        byte[] bad = java.util.HexFormat.of().parseHex(hex);
        try (JdkWsClient c = subscriber("trades:UTF8")) {
            for (String[] around : new String[][] {
                    {"{\"room\":\"trades:UTF8\",\"data\":\"", "\"}"},
                    {"{\"room\":\"trades:UTF8\",\"data\":{\"s\":\"", "\"}}"}}) {
                byte[] head = around[0].getBytes(StandardCharsets.US_ASCII);
                byte[] tail = around[1].getBytes(StandardCharsets.US_ASCII);
                byte[] body = new byte[head.length + bad.length + tail.length];
                System.arraycopy(head, 0, body, 0, head.length);
                System.arraycopy(bad, 0, body, head.length, bad.length);
                System.arraycopy(tail, 0, body, head.length + bad.length, tail.length);
                error(publishBytes(body), 400, "bad_request");
            }
            assertNothingBeforeSentinel(c, "trades:UTF8");
        }
    }

    @Test
    void validMultiByteUtf8DataIsDelivered() {
        try (JdkWsClient c = subscriber("trades:UTF8OK")) {
            results(gw.publish("{\"room\":\"trades:UTF8OK\",\"data\":{\"s\":\"\u00e9\u20ac\ud83d\ude00\"}}"));
            assertThat(c.next().path("data").path("s").asText()).isEqualTo("\u00e9\u20ac\ud83d\ude00");
        }
    }

    @Test
    void emptyOrMalformedBatchIs400() {
        error(gw.publish("{\"events\":[]}"), 400, "bad_request");
        error(gw.publish("{\"events\":{}}"), 400, "bad_request");
        assertIndex(error(gw.publish("{\"events\":[{\"room\":\"trades:X\",\"data\":1},7]}"), 400, "bad_request"), 1);
    }

    @Test
    void noOrBadTokenIs401() {
        String body = "{\"room\":\"trades:AUTH\",\"data\":{}}";
        error(gw.post(PUBLISH, null, body), 401, "unauthorized");
        error(gw.post(PUBLISH, "not-a-jwt", body), 401, "unauthorized");
        String otherSecret = new TokenMinter("another-secret-0123456789-abcdefghijklmnopqrstuvwxyz")
                .mint("svc", List.of(), "tickwire:publish", System.currentTimeMillis() + 3_600_000);
        error(gw.post(PUBLISH, otherSecret, body), 401, "unauthorized");
        String expired = minter.mint("svc", List.of(), "tickwire:publish", System.currentTimeMillis() - 3_600_000);
        error(gw.post(PUBLISH, expired, body), 401, "unauthorized");
    }

    @Test
    void tokenWithoutPublishScopeIs403() {
        String body = "{\"room\":\"trades:NOSCOPE\",\"data\":{}}";
        error(gw.post(PUBLISH, gw.token("alice", "trades:NOSCOPE"), body), 403, "forbidden");
        error(gw.post(PUBLISH, tokenWithScope("tickwire:admin"), body), 403, "forbidden");
        error(gw.post(PUBLISH, tokenWithScope("tickwire:publisher"), body), 403, "forbidden");
    }

    @Test
    void kindScopeAllowsOnlyThatKind() {
        String priceOnly = tokenWithScope("tickwire:publish:price");
        JsonNode ok = results(gw.post(PUBLISH, priceOnly, "{\"room\":\"price:SCOPED\",\"data\":{\"bid\":1}}"));
        assertThat(ok.get(0).path("room").asText()).isEqualTo("price:SCOPED");
        error(gw.post(PUBLISH, priceOnly, "{\"room\":\"account:1\",\"data\":{\"balance\":1}}"), 403, "forbidden");

        // in a batch: the offending event's index, and nothing of the batch is published
        try (JdkWsClient c = JdkWsClient.connect(gw.wsUri(), gw.token("watcher"))) {
            c.nextOfType("welcome");
            c.send("{\"op\":\"subscribe\",\"id\":1,\"rooms\":[\"price:SCOPED\"]}");
            assertThat(c.next().path("type").asText()).isEqualTo("subscribed");
            assertThat(c.next().path("type").asText()).isEqualTo("snapshot");
            String batch = "{\"events\":[{\"room\":\"price:SCOPED\",\"data\":{\"bid\":2}},"
                    + "{\"room\":\"account:1\",\"data\":{\"balance\":2}}]}";
            assertIndex(error(gw.post(PUBLISH, priceOnly, batch), 403, "forbidden"), 1);
            assertNothingBeforeSentinel(c, "price:SCOPED");
        }
        // a space-separated scope list is read as a list
        results(gw.post(PUBLISH, tokenWithScope("openid tickwire:publish:account"), "{\"room\":\"account:1\",\"data\":{}}"));
    }

    @Test
    void unknownKindIs404() {
        error(gw.publish("{\"room\":\"weather:NYC\",\"data\":{}}"), 404, "not_found");
        try (JdkWsClient c = subscriber("trades:KIND")) {
            String batch = "{\"events\":[{\"room\":\"trades:KIND\",\"data\":{}},{\"room\":\"weather:NYC\",\"data\":{}}]}";
            assertIndex(error(gw.publish(batch), 404, "not_found"), 1);
            assertNothingBeforeSentinel(c, "trades:KIND");
        }
    }

    /** {@code {"s":"xxx…"}} of exactly {@code bytes} bytes. */
    private static String dataOfSize(int bytes) {
        return "{\"s\":\"" + "x".repeat(bytes - 8) + "\"}";
    }

    @Test
    void dataLargerThan64KiBIs413() {
        int max = 64 * 1024;
        assertThat(dataOfSize(max)).hasSize(max);
        try (JdkWsClient c = subscriber("trades:BIG")) {
            // the contract names the status (413), not the code
            error(gw.publish("{\"room\":\"trades:BIG\",\"data\":" + dataOfSize(max + 1) + "}"), 413, null);

            String batch = "{\"events\":[{\"room\":\"trades:BIG\",\"data\":{}},{\"room\":\"trades:BIG\",\"data\":"
                    + dataOfSize(max + 1) + "}]}";
            assertIndex(error(gw.publish(batch), 413, null), 1);
            assertNothingBeforeSentinel(c, "trades:BIG");

            // exactly at the limit is accepted and delivered whole
            results(gw.publish("{\"room\":\"trades:BIG\",\"data\":" + dataOfSize(max) + "}"));
            assertThat(c.next().path("data").path("s").asText()).hasSize(max - 8);
        }
    }

    @Test
    void wrongMethodIsRefused() {
        assertThat(gw.get(PUBLISH).statusCode()).isEqualTo(405);
    }

    // ---- operating endpoints ----

    @Test
    void healthEndpointsAnswer200WithoutAToken() {
        assertThat(gw.get("/health/live").statusCode()).isEqualTo(200);
        assertThat(gw.get("/health/ready").statusCode()).isEqualTo(200);
    }

    private static double metric(String scrape, String name) {
        for (String line : scrape.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError(name + " not in\n" + scrape);
    }

    @Test
    void metricsExposeConnectionsSubscriptionsPublishedAndDelivered() {
        try (NettyWsClient c = NettyWsClient.connect(gw.wsUri(), gw.token("metered"))) {
            c.nextOfType("welcome");
            c.sendText("{\"op\":\"subscribe\",\"id\":1,\"rooms\":[\"trades:METRICS\"]}");
            assertThat(c.nextOfType("subscribed").path("room").asText()).isEqualTo("trades:METRICS");
            for (int i = 0; i < 3; i++) {
                results(gw.publish("{\"room\":\"trades:METRICS\",\"data\":{\"n\":" + i + "}}"));
            }
            for (int i = 0; i < 3; i++) {
                assertThat(c.nextOfType("event").path("data").path("n").asInt()).isEqualTo(i);
            }
            HttpResponse<String> r = gw.get("/metrics");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
            String scrape = r.body();
            assertThat(metric(scrape, "tickwire_connections")).isGreaterThanOrEqualTo(1);
            assertThat(metric(scrape, "tickwire_subscriptions")).isGreaterThanOrEqualTo(1);
            assertThat(metric(scrape, "tickwire_events_published_total{kind=\"trades\"}")).isGreaterThanOrEqualTo(3);
            assertThat(metric(scrape, "tickwire_events_delivered_total")).isGreaterThanOrEqualTo(3);
        }
    }

    @Test
    void oversizedBodyAnnouncedWithExpectContinueGetsTheJson413() throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", gw.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("POST /api/v1/publish HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: Bearer " + gw.publisherToken() + "\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 5000000\r\nExpect: 100-continue\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            StringBuilder response = new StringBuilder();
            java.io.InputStream in = s.getInputStream();
            int b;
            while (!response.toString().endsWith("}}") && (b = in.read()) >= 0) {
                response.append((char) b);
            }
            assertThat(response.toString()).startsWith("HTTP/1.1 413");
            assertThat(response.toString()).contains("\"code\":\"limit_exceeded\"");
        }
    }
}
