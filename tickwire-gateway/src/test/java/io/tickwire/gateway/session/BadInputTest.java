package io.tickwire.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.tickwire.gateway.testing.JdkWsClient;
import io.tickwire.gateway.testing.NettyWsClient;
import io.tickwire.gateway.testing.TestGateway;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad input from a client (contract §2, §3, §6): each malformed operation gets a clear {@code error} and the
 * connection stays usable; each frame the contract refuses gets its close code. Throughout, a bystander
 * subscribed to {@code trades:BYSTAND} must receive every event published between the bad inputs, in order.
 */
class BadInputTest {

    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
    private static final String BYSTANDER_ROOM = "trades:BYSTAND";
    private static final int MAX_FRAME = 16384;

    static TestGateway gw;
    static JdkWsClient bystander;
    static final AtomicInteger bystanderPublished = new AtomicInteger();

    @BeforeAll
    static void start() {
        gw = TestGateway.start();
        bystander = JdkWsClient.connect(gw.wsUri(), gw.token("bystander"));
        bystander.nextOfType("welcome");
        bystander.send("{\"op\":\"subscribe\",\"id\":\"by\",\"rooms\":[\"" + BYSTANDER_ROOM + "\"]}");
        JsonNode sub = bystander.next();
        assertThat(sub.path("type").asText()).isEqualTo("subscribed");
        assertThat(sub.path("room").asText()).isEqualTo(BYSTANDER_ROOM);
    }

    @AfterAll
    static void bystanderGotEveryEventInOrder() {
        try {
            int total = bystanderPublished.get();
            assertThat(total).isPositive();
            List<Integer> got = new ArrayList<>();
            long lastSeq = 0;
            for (int i = 0; i < total; i++) {
                JsonNode e = bystander.next(Duration.ofSeconds(10));
                assertThat(e.path("type").asText()).as("bystander message %s", e).isEqualTo("event");
                assertThat(e.path("room").asText()).isEqualTo(BYSTANDER_ROOM);
                assertThat(e.path("seq").asLong()).isGreaterThan(lastSeq);
                lastSeq = e.path("seq").asLong();
                got.add(e.path("data").path("n").asInt());
            }
            List<Integer> expected = new ArrayList<>();
            for (int i = 1; i <= total; i++) {
                expected.add(i);
            }
            assertThat(got).isEqualTo(expected);
            assertThat(bystander.drain(Duration.ofMillis(200))).isEmpty();
            assertThat(bystander.isClosed()).isFalse();
        } finally {
            bystander.close();
            gw.close();
        }
    }

    /** Publishes the next counter value to the bystander's room. */
    private static void publishToBystander() {
        int n = bystanderPublished.incrementAndGet();
        assertThat(gw.publish("{\"room\":\"" + BYSTANDER_ROOM + "\",\"data\":{\"n\":" + n + "}}").statusCode())
                .isEqualTo(200);
    }

    private static JdkWsClient jdkClient(String subject) {
        JdkWsClient c = JdkWsClient.connect(gw.wsUri(), gw.token(subject));
        assertThat(c.next().path("type").asText()).isEqualTo("welcome");
        return c;
    }

    private static NettyWsClient nettyClient(String subject) {
        NettyWsClient c = NettyWsClient.connect(gw.wsUri(), gw.token(subject));
        assertThat(c.next().path("type").asText()).isEqualTo("welcome");
        return c;
    }

    /** Asserts {@code m} is an operation-level error (no room) with {@code code}. */
    private static void assertOpError(JsonNode m, String code) {
        assertThat(m.path("type").asText()).as("reply %s", m).isEqualTo("error");
        assertThat(m.path("code").asText()).as("reply %s", m).isEqualTo(code);
        assertThat(m.path("message").asText()).as("reply %s", m).isNotBlank();
        assertThat(m.has("room")).as("reply %s", m).isFalse();
    }

    /** Sends {@code frame}, expects a bad_request error without an id, then proves the connection usable. */
    private static void assertBadRequestWithoutId(JdkWsClient c, String frame) {
        c.send(frame);
        JsonNode err = c.next();
        assertOpError(err, "bad_request");
        assertThat(err.has("id")).as("reply %s", err).isFalse();
        assertStillUsable(c);
    }

    /** Sends {@code frame}, expects a bad_request error echoing {@code id} (raw JSON), then a pong. */
    private static void assertBadRequestWithId(JdkWsClient c, String frame, String rawId) {
        c.send(frame);
        JsonNode err = c.next();
        assertOpError(err, "bad_request");
        assertThat(err.path("id").toString()).as("reply %s", err).isEqualTo(rawId);
        assertStillUsable(c);
    }

    private static final AtomicInteger pings = new AtomicInteger();

    /** A ping op gets its pong next: nothing else is pending and the connection still works. */
    private static void assertStillUsable(JdkWsClient c) {
        int id = 1000 + pings.incrementAndGet();
        c.send("{\"op\":\"ping\",\"id\":" + id + "}");
        JsonNode pong = c.next();
        assertThat(pong.path("type").asText()).as("reply %s", pong).isEqualTo("pong");
        assertThat(pong.path("id").asInt()).isEqualTo(id);
    }

    private static void assertStillUsable(NettyWsClient c) {
        int id = 1000 + pings.incrementAndGet();
        c.sendText("{\"op\":\"ping\",\"id\":" + id + "}");
        JsonNode pong = c.next();
        assertThat(pong.path("type").asText()).as("reply %s", pong).isEqualTo("pong");
        assertThat(pong.path("id").asInt()).isEqualTo(id);
    }

    // ---- malformed operations: an error, and the connection stays usable ----

    @Test
    void malformedJsonGetsBadRequest() {
        try (JdkWsClient c = jdkClient("bad-json")) {
            assertBadRequestWithoutId(c, "{\"op\":");
            publishToBystander();
            assertBadRequestWithoutId(c, "{op:ping}");
            assertBadRequestWithoutId(c, "{\"op\":\"ping\"} trailing");
            // an id read before the syntax error is still echoed
            assertBadRequestWithId(c, "{\"id\":3,\"op\":", "3");
            publishToBystander();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"[{\"op\":\"ping\",\"id\":1}]", "[]", "42", "\"ping\"", "true", "null"})
    void nonObjectFramesGetBadRequest(String frame) {
        try (JdkWsClient c = jdkClient("non-object")) {
            assertBadRequestWithoutId(c, frame);
            publishToBystander();
        }
    }

    @Test
    void unknownOpGetsBadRequestWithItsId() {
        try (JdkWsClient c = jdkClient("dancer")) {
            c.send("{\"op\":\"dance\",\"id\":5}");
            JsonNode err = c.next();
            assertOpError(err, "bad_request");
            assertThat(err.path("id").isInt()).isTrue();
            assertThat(err.path("id").asInt()).isEqualTo(5);
            assertStillUsable(c);
            publishToBystander();
            assertBadRequestWithId(c, "{\"op\":\"dance\",\"id\":\"five\"}", "\"five\"");
            publishToBystander();
        }
    }

    /** Contract §2: an id is "a number or string"; a fractional number is a number, echoed as sent. */
    @Test
    void fractionalNumberIdIsEchoed() {
        try (JdkWsClient c = jdkClient("float-id")) {
            c.send("{\"op\":\"ping\",\"id\":1.5}");
            JsonNode pong = c.next();
            assertThat(pong.path("type").asText()).as("reply %s", pong).isEqualTo("pong");
            assertThat(pong.path("id").asDouble()).isEqualTo(1.5);
            publishToBystander();
        }
    }

    @Test
    void missingOrMistypedOpGetsBadRequest() {
        try (JdkWsClient c = jdkClient("no-op")) {
            assertBadRequestWithId(c, "{\"id\":6,\"rooms\":[\"trades:X\"]}", "6");
            assertBadRequestWithoutId(c, "{}");
            publishToBystander();
            assertBadRequestWithId(c, "{\"op\":7,\"id\":\"x\"}", "\"x\"");
            assertBadRequestWithId(c, "{\"op\":null,\"id\":8}", "8");
            publishToBystander();
        }
    }

    @Test
    void subscribeWithoutRoomsGetsBadRequest() {
        try (JdkWsClient c = jdkClient("no-rooms")) {
            assertBadRequestWithId(c, "{\"op\":\"subscribe\",\"id\":7}", "7");
            publishToBystander();
            assertBadRequestWithId(c, "{\"op\":\"subscribe\",\"id\":8,\"rooms\":[]}", "8");
            assertBadRequestWithId(c, "{\"op\":\"unsubscribe\",\"id\":9}", "9");
            publishToBystander();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"trades:AAPL\"", "{\"trades:AAPL\":true}", "[1,2]", "[\"trades:AAPL\",[\"trades:B\"]]", "null"})
    void roomsNotAListOfNamesGetsBadRequest(String rooms) {
        try (JdkWsClient c = jdkClient("rooms-shape")) {
            assertBadRequestWithId(c, "{\"op\":\"subscribe\",\"id\":10,\"rooms\":" + rooms + "}", "10");
            publishToBystander();
        }
    }

    @Test
    void invalidRoomNamesGetPerRoomBadRequestAndValidOnesStillSubscribe() {
        String tooLongKey = "price:" + "A".repeat(65);
        List<String> invalid = List.of("PRICE:AAPL", "price:", "price:AA PL", tooLongKey, "nocolon");
        try (JdkWsClient c = jdkClient("bad-rooms")) {
            StringBuilder rooms = new StringBuilder("[");
            for (String r : invalid) {
                rooms.append('"').append(r).append("\",");
            }
            rooms.append("\"trades:VALIDROOM\"]");
            c.send("{\"op\":\"subscribe\",\"id\":9,\"rooms\":" + rooms + "}");
            Map<String, JsonNode> byRoom = new HashMap<>();
            for (int i = 0; i < invalid.size() + 1; i++) {
                JsonNode m = c.next();
                assertThat(m.path("id").asInt()).as("reply %s", m).isEqualTo(9);
                assertThat(byRoom.put(m.path("room").asText(), m)).as("second reply for %s", m).isNull();
            }
            for (String r : invalid) {
                JsonNode err = byRoom.get(r);
                assertThat(err).as("reply for %s in %s", r, byRoom.keySet()).isNotNull();
                assertThat(err.path("type").asText()).isEqualTo("error");
                assertThat(err.path("code").asText()).isEqualTo("bad_request");
                assertThat(err.path("message").asText()).isNotBlank();
            }
            assertThat(byRoom.get("trades:VALIDROOM").path("type").asText()).isEqualTo("subscribed");
            assertStillUsable(c);
            publishToBystander();
            // the valid room is really held: its events arrive
            assertThat(gw.publish("{\"room\":\"trades:VALIDROOM\",\"data\":{\"v\":1}}").statusCode()).isEqualTo(200);
            JsonNode e = c.next();
            assertThat(e.path("type").asText()).isEqualTo("event");
            assertThat(e.path("room").asText()).isEqualTo("trades:VALIDROOM");
        }
    }

    @Test
    void unknownKindGetsNotFoundForThatRoom() {
        try (JdkWsClient c = jdkClient("weatherman")) {
            c.send("{\"op\":\"subscribe\",\"id\":11,\"rooms\":[\"weather:NYC\"]}");
            JsonNode err = c.next();
            assertThat(err.path("type").asText()).isEqualTo("error");
            assertThat(err.path("code").asText()).isEqualTo("not_found");
            assertThat(err.path("room").asText()).isEqualTo("weather:NYC");
            assertThat(err.path("id").asInt()).isEqualTo(11);
            assertStillUsable(c);
            publishToBystander();
        }
    }

    @Test
    void jsonNestedDeeperThan16GetsBadRequest() {
        try (JdkWsClient c = jdkClient("deep")) {
            // the top-level object is depth 1: 15 arrays inside it reach the limit of 16, which is accepted
            c.send("{\"op\":\"ping\",\"id\":12,\"x\":" + "[".repeat(15) + "]".repeat(15) + "}");
            JsonNode pong = c.next();
            assertThat(pong.path("type").asText()).as("reply %s", pong).isEqualTo("pong");
            assertThat(pong.path("id").asInt()).isEqualTo(12);
            // 17 levels: refused
            assertBadRequestWithId(c, "{\"op\":\"ping\",\"id\":13,\"x\":" + "[".repeat(16) + "]".repeat(16) + "}", "13");
            publishToBystander();
            // far deeper, and unterminated: still a clean bad_request
            assertBadRequestWithId(c, "{\"id\":14,\"x\":" + "{\"a\":".repeat(500), "14");
            assertBadRequestWithoutId(c, "[".repeat(1000));
            publishToBystander();
        }
    }

    @Test
    void manyBadOpsInARowLeaveTheConnectionUsable() {
        try (NettyWsClient c = nettyClient("barrage")) {
            for (int i = 0; i < 50; i++) {
                c.sendText(i % 2 == 0 ? "{\"op\":" : "{\"op\":\"dance\",\"id\":" + i + "}");
            }
            for (int i = 0; i < 50; i++) {
                JsonNode err = c.next();
                assertOpError(err, "bad_request");
                if (i % 2 == 1) {
                    assertThat(err.path("id").asInt()).isEqualTo(i);
                }
            }
            assertStillUsable(c);
            publishToBystander();
        }
    }

    // ---- frames the contract refuses: a close code ----

    /** A valid ping op padded with spaces to exactly {@code bytes} bytes. */
    private static String paddedPing(int id, int bytes) {
        String core = "{\"op\":\"ping\",\"id\":" + id + "}";
        return core.substring(0, core.length() - 1) + " ".repeat(bytes - core.length()) + "}";
    }

    @Test
    void frameAtTheLimitIsAcceptedAndOneByteMoreClosesWith1009() {
        try (NettyWsClient c = nettyClient("big")) {
            String atLimit = paddedPing(21, MAX_FRAME);
            assertThat(atLimit.getBytes(StandardCharsets.UTF_8)).hasSize(MAX_FRAME);
            c.sendText(atLimit);
            JsonNode pong = c.next();
            assertThat(pong.path("type").asText()).isEqualTo("pong");
            assertThat(pong.path("id").asInt()).isEqualTo(21);
            publishToBystander();

            c.sendText(paddedPing(22, MAX_FRAME + 1));
            assertThat(c.awaitClose(CLOSE_TIMEOUT)).isEqualTo(1009);
            publishToBystander();
        }
    }

    @Test
    void muchLargerTextFrameClosesWith1009AsSoonAsItsHeaderArrives() {
        try (NettyWsClient c = nettyClient("huge")) {
            // Only the header of a masked final text frame announcing 1 MiB: the gateway must refuse it from
            // the header alone, without waiting for (or buffering) the payload.
            byte[] header = new byte[14];
            header[0] = (byte) 0x81; // FIN + text
            header[1] = (byte) (0x80 | 127); // masked, 64-bit length follows
            long length = 1 << 20;
            for (int i = 0; i < 8; i++) {
                header[2 + i] = (byte) (length >>> (56 - 8 * i));
            }
            header[10] = 0x11;
            header[11] = 0x22;
            header[12] = 0x33;
            header[13] = 0x44;
            c.sendRaw(header);
            assertThat(c.awaitClose(CLOSE_TIMEOUT)).isEqualTo(1009);
            publishToBystander();
        }
    }

    @Test
    void fragmentedMessageLargerThanTheLimitClosesWith1009() {
        try (NettyWsClient c = nettyClient("fragments")) {
            String whole = paddedPing(24, 3 * 8192);
            byte[] bytes = whole.getBytes(StandardCharsets.UTF_8);
            // three fragments of 8 KiB: each frame is within the limit, the message is not
            c.sendFrame(new TextWebSocketFrame(false, 0, Unpooled.wrappedBuffer(bytes, 0, 8192)));
            c.sendFrame(new ContinuationWebSocketFrame(false, 0, Unpooled.wrappedBuffer(bytes, 8192, 8192)));
            c.trySendFrame(new ContinuationWebSocketFrame(true, 0, Unpooled.wrappedBuffer(bytes, 16384, 8192)));
            assertThat(c.awaitClose(CLOSE_TIMEOUT)).isEqualTo(1009);
            publishToBystander();
        }
    }

    @Test
    void fragmentedMessageWithinTheLimitIsAccepted() {
        try (NettyWsClient c = nettyClient("small-fragments")) {
            byte[] bytes = paddedPing(25, 2 * 4096).getBytes(StandardCharsets.UTF_8);
            c.sendFrame(new TextWebSocketFrame(false, 0, Unpooled.wrappedBuffer(bytes, 0, 4096)));
            c.sendFrame(new ContinuationWebSocketFrame(true, 0, Unpooled.wrappedBuffer(bytes, 4096, 4096)));
            JsonNode pong = c.next();
            assertThat(pong.path("type").asText()).isEqualTo("pong");
            assertThat(pong.path("id").asInt()).isEqualTo(25);
            publishToBystander();
        }
    }

    @Test
    void binaryFrameClosesWith1003() {
        try (NettyWsClient c = nettyClient("binary")) {
            byte[] json = "{\"op\":\"ping\",\"id\":26}".getBytes(StandardCharsets.UTF_8);
            c.sendFrame(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(json)));
            assertThat(c.awaitClose(CLOSE_TIMEOUT)).isEqualTo(1003);
            publishToBystander();
        }
    }

    @Test
    void invalidUtf8ClosesWith1007() {
        try (NettyWsClient c = nettyClient("utf8")) {
            c.trySendFrame(new TextWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {(byte) 0xC3, (byte) 0x28})));
            assertThat(c.awaitClose(CLOSE_TIMEOUT)).isEqualTo(1007);
            publishToBystander();
        }
    }

    @Test
    void invalidUtf8InsideAJsonStringClosesWith1007() {
        try (NettyWsClient c = nettyClient("utf8-json")) {
            byte[] head = "{\"op\":\"ping\",\"id\":\"".getBytes(StandardCharsets.US_ASCII);
            byte[] tail = "\"}".getBytes(StandardCharsets.US_ASCII);
            byte[] frame = new byte[head.length + 2 + tail.length];
            System.arraycopy(head, 0, frame, 0, head.length);
            frame[head.length] = (byte) 0xED; // an encoded UTF-16 surrogate: never valid UTF-8
            frame[head.length + 1] = (byte) 0xA0;
            System.arraycopy(tail, 0, frame, head.length + 2, tail.length);
            c.trySendFrame(new TextWebSocketFrame(Unpooled.wrappedBuffer(frame)));
            assertThat(c.awaitClose(CLOSE_TIMEOUT)).isEqualTo(1007);
            publishToBystander();
        }
    }

    @Test
    void textEndingInsideAMultiByteSequenceClosesWith1007() {
        try (NettyWsClient c = nettyClient("utf8-truncated")) {
            byte[] ping = "{\"op\":\"ping\",\"id\":27}".getBytes(StandardCharsets.US_ASCII);
            byte[] frame = java.util.Arrays.copyOf(ping, ping.length + 1);
            frame[ping.length] = (byte) 0xC3; // the first byte of a two-byte sequence, and nothing after it
            c.trySendFrame(new TextWebSocketFrame(Unpooled.wrappedBuffer(frame)));
            assertThat(c.awaitClose(CLOSE_TIMEOUT)).isEqualTo(1007);
            publishToBystander();
        }
    }

    @Test
    void multiByteCharacterSplitAcrossFragmentsIsAccepted() {
        try (NettyWsClient c = nettyClient("utf8-split")) {
            byte[] whole = "{\"op\":\"ping\",\"id\":\"caf\u00e9\"}".getBytes(StandardCharsets.UTF_8);
            int split = whole.length - 3; // between the two bytes of the e-acute
            c.sendFrame(new TextWebSocketFrame(false, 0, Unpooled.wrappedBuffer(whole, 0, split)));
            c.sendFrame(new ContinuationWebSocketFrame(true, 0, Unpooled.wrappedBuffer(whole, split, whole.length - split)));
            JsonNode pong = c.next();
            assertThat(pong.path("type").asText()).as("reply %s", pong).isEqualTo("pong");
            publishToBystander();
        }
    }

    @Test
    void validMultiByteUtf8IsAccepted() {
        try (NettyWsClient c = nettyClient("utf8-ok")) {
            c.sendText("{\"op\":\"ping\",\"id\":\"\u00e9\u20ac\ud83d\ude00\"}");
            JsonNode pong = c.next();
            assertThat(pong.path("type").asText()).as("reply %s", pong).isEqualTo("pong");
            assertThat(pong.path("id").asText()).isEqualTo("\u00e9\u20ac\ud83d\ude00");
            publishToBystander();
        }
    }

    // ---- the per-connection subscription limit ----

    @Test
    void fourthSubscriptionExceedsALimitOfThree() {
        try (TestGateway limited = TestGateway.start(Map.of("TICKWIRE_ROOMS_MAX_SUBSCRIPTIONS_PER_CONNECTION", "3"));
             JdkWsClient c = JdkWsClient.connect(limited.wsUri(), limited.token("greedy"))) {
            c.nextOfType("welcome");
            c.send("{\"op\":\"subscribe\",\"id\":30,\"rooms\":[\"trades:L1\",\"trades:L2\",\"trades:L3\",\"trades:L4\"]}");
            Map<String, JsonNode> byRoom = new HashMap<>();
            for (int i = 0; i < 4; i++) {
                JsonNode m = c.next();
                assertThat(m.path("id").asInt()).as("reply %s", m).isEqualTo(30);
                byRoom.put(m.path("room").asText(), m);
            }
            for (String r : List.of("trades:L1", "trades:L2", "trades:L3")) {
                assertThat(byRoom.get(r).path("type").asText()).as("reply for %s: %s", r, byRoom.get(r)).isEqualTo("subscribed");
            }
            JsonNode refused = byRoom.get("trades:L4");
            assertThat(refused.path("type").asText()).isEqualTo("error");
            assertThat(refused.path("code").asText()).isEqualTo("limit_exceeded");

            // a separate op hits the same limit
            c.send("{\"op\":\"subscribe\",\"id\":31,\"rooms\":[\"trades:L5\"]}");
            JsonNode again = c.next();
            assertThat(again.path("code").asText()).isEqualTo("limit_exceeded");
            assertThat(again.path("room").asText()).isEqualTo("trades:L5");

            // the limit counts what is held: after an unsubscribe there is room for one more
            c.send("{\"op\":\"unsubscribe\",\"id\":32,\"rooms\":[\"trades:L1\"]}");
            assertThat(c.next().path("type").asText()).isEqualTo("unsubscribed");
            c.send("{\"op\":\"subscribe\",\"id\":33,\"rooms\":[\"trades:L4\"]}");
            JsonNode ok = c.next();
            assertThat(ok.path("type").asText()).as("reply %s", ok).isEqualTo("subscribed");
            assertThat(ok.path("room").asText()).isEqualTo("trades:L4");
            assertStillUsable(c);
        }
        publishToBystander();
    }
}
