package io.tickwire.protocol;

import static io.tickwire.protocol.JsonWriterTest.parseObject;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Server messages per contract §3: exact bytes, strict JSON, ids echoed verbatim, data spliced untouched. */
class ServerMessagesTest {

    private final JsonWriter w = new JsonWriter(32);

    private static String utf8(JsonWriter w) {
        return new String(w.buffer(), 0, w.length(), StandardCharsets.UTF_8);
    }

    @Test
    void welcome() {
        ServerMessages.welcome(w, "c0ffee12", "gw-1", 15000, 1764268800000L);
        assertThat(utf8(w)).isEqualTo(
                "{\"type\":\"welcome\",\"session\":\"c0ffee12\",\"node\":\"gw-1\",\"heartbeat_ms\":15000,\"expires_at\":1764268800000}");
        assertThat(parseObject(w)).containsEntry("heartbeat_ms", 15000L);
    }

    @Test
    void subscribedWithNumericAndStringIds() {
        ServerMessages.subscribed(w, "1", "price:AAPL", "conflate", 50211, "m-5f2a");
        assertThat(utf8(w)).isEqualTo(
                "{\"type\":\"subscribed\",\"id\":1,\"room\":\"price:AAPL\",\"mode\":\"conflate\",\"seq\":50211,\"epoch\":\"m-5f2a\"}");
        ServerMessages.subscribed(w, "\"a\\\"b\"", "account:42", "reliable", 0, "e");
        assertThat(utf8(w)).isEqualTo(
                "{\"type\":\"subscribed\",\"id\":\"a\\\"b\",\"room\":\"account:42\",\"mode\":\"reliable\",\"seq\":0,\"epoch\":\"e\"}");
        assertThat(parseObject(w)).containsEntry("id", "a\"b");
    }

    @Test
    void subscribedWithoutId() {
        ServerMessages.subscribed(w, null, "price:AAPL", "conflate", 3, "e");
        assertThat(utf8(w)).isEqualTo(
                "{\"type\":\"subscribed\",\"room\":\"price:AAPL\",\"mode\":\"conflate\",\"seq\":3,\"epoch\":\"e\"}");
    }

    @Test
    void unsubscribedWithAndWithoutIdAndReason() {
        ServerMessages.unsubscribed(w, "4", "price:AAPL", null);
        assertThat(utf8(w)).isEqualTo("{\"type\":\"unsubscribed\",\"id\":4,\"room\":\"price:AAPL\"}");
        ServerMessages.unsubscribed(w, null, "account:1", "forbidden");
        assertThat(utf8(w)).isEqualTo("{\"type\":\"unsubscribed\",\"room\":\"account:1\",\"reason\":\"forbidden\"}");
        parseObject(w);
    }

    @Test
    void reconnect() {
        ServerMessages.reconnect(w, 7250, "draining");
        assertThat(utf8(w)).isEqualTo("{\"type\":\"reconnect\",\"after_ms\":7250,\"reason\":\"draining\"}");
        assertThat(parseObject(w)).containsEntry("after_ms", 7250L).containsEntry("reason", "draining");
    }

    @Test
    void errorVariants() {
        ServerMessages.error(w, "1", "account:43", ErrorCode.FORBIDDEN, "token does not grant account:43");
        assertThat(utf8(w)).isEqualTo("{\"type\":\"error\",\"id\":1,\"room\":\"account:43\",\"code\":\"forbidden\","
                + "\"message\":\"token does not grant account:43\"}");
        ServerMessages.error(w, null, null, ErrorCode.BAD_REQUEST, "malformed JSON");
        assertThat(utf8(w)).isEqualTo("{\"type\":\"error\",\"code\":\"bad_request\",\"message\":\"malformed JSON\"}");
        ServerMessages.error(w, "\"s2\"", null, ErrorCode.ALREADY_SUBSCRIBED, "x");
        assertThat(parseObject(w)).containsExactly(
                Map.entry("type", "error"), Map.entry("id", "s2"), Map.entry("code", "already_subscribed"),
                Map.entry("message", "x"));
    }

    @Test
    void everyErrorCodeIsWrittenInItsWireForm() {
        Map<ErrorCode, String> wire = Map.of(
                ErrorCode.BAD_REQUEST, "bad_request", ErrorCode.UNAUTHORIZED, "unauthorized",
                ErrorCode.FORBIDDEN, "forbidden", ErrorCode.NOT_FOUND, "not_found",
                ErrorCode.ALREADY_SUBSCRIBED, "already_subscribed", ErrorCode.RATE_LIMITED, "rate_limited",
                ErrorCode.LIMIT_EXCEEDED, "limit_exceeded", ErrorCode.INTERNAL, "internal");
        assertThat(wire).hasSameSizeAs(ErrorCode.values());
        for (ErrorCode c : ErrorCode.values()) {
            ServerMessages.error(w, null, null, c, "m");
            assertThat(parseObject(w)).containsEntry("code", wire.get(c));
        }
    }

    @Test
    void errorMessageIsEscaped() {
        String message = "unknown op '\"}\\\n\u00e9\u0000'";
        ServerMessages.error(w, "7", null, ErrorCode.BAD_REQUEST, message);
        assertThat(parseObject(w)).containsEntry("message", message).containsEntry("id", 7L);
    }

    @Test
    void pong() {
        ServerMessages.pong(w, "12");
        assertThat(utf8(w)).isEqualTo("{\"type\":\"pong\",\"id\":12}");
        ServerMessages.pong(w, null);
        assertThat(utf8(w)).isEqualTo("{\"type\":\"pong\"}");
        ServerMessages.pong(w, "\"x\"");
        assertThat(utf8(w)).isEqualTo("{\"type\":\"pong\",\"id\":\"x\"}");
    }

    @Test
    void reset() {
        ServerMessages.reset(w, "account:42", 1190, "m-5f2a", "history_unavailable");
        assertThat(utf8(w)).isEqualTo("{\"type\":\"reset\",\"room\":\"account:42\",\"seq\":1190,\"epoch\":\"m-5f2a\","
                + "\"reason\":\"history_unavailable\"}");
    }

    @Test
    void eventSplicesDataUntouched() {
        byte[] data = "{ \"bid\" : 189.31,\"ask\":189.330, \"n\":\"\u00e9\\u00e9\" }".getBytes(StandardCharsets.UTF_8);
        ServerMessages.event(w, "price:AAPL", 50212, 1764268800123L, data);
        byte[] expectedPrefix = "{\"type\":\"event\",\"room\":\"price:AAPL\",\"seq\":50212,\"ts\":1764268800123,\"data\":"
                .getBytes(StandardCharsets.UTF_8);
        byte[] out = w.toByteArray();
        assertThat(out).hasSize(expectedPrefix.length + data.length + 1);
        assertThat(java.util.Arrays.copyOfRange(out, 0, expectedPrefix.length)).isEqualTo(expectedPrefix);
        assertThat(java.util.Arrays.copyOfRange(out, expectedPrefix.length, expectedPrefix.length + data.length))
                .isEqualTo(data);
        assertThat(out[out.length - 1]).isEqualTo((byte) '}');
        Map<String, Object> m = parseObject(w);
        assertThat(((Map<?, ?>) m.get("data")).get("n")).isEqualTo("\u00e9\u00e9");
    }

    @Test
    void eventWithScalarAndArrayData() {
        ServerMessages.event(w, "trades:X", 1, 2, "[1,\"a\"]".getBytes(StandardCharsets.UTF_8));
        assertThat(utf8(w)).isEqualTo("{\"type\":\"event\",\"room\":\"trades:X\",\"seq\":1,\"ts\":2,\"data\":[1,\"a\"]}");
        ServerMessages.event(w, "trades:X", 2, 3, "null".getBytes(StandardCharsets.UTF_8));
        assertThat(utf8(w)).isEqualTo("{\"type\":\"event\",\"room\":\"trades:X\",\"seq\":2,\"ts\":3,\"data\":null}");
    }

    @Test
    void snapshotUsesTheGivenSlice() {
        byte[] buf = "junk{\"bid\":1}junk".getBytes(StandardCharsets.UTF_8);
        ServerMessages.snapshot(w, "price:AAPL", 50211, buf, 4, 9);
        assertThat(utf8(w)).isEqualTo("{\"type\":\"snapshot\",\"room\":\"price:AAPL\",\"seq\":50211,\"data\":{\"bid\":1}}");
    }

    @Test
    void eachMessageResetsTheWriter() {
        ServerMessages.welcome(w, "s", "n", 1, 2);
        ServerMessages.pong(w, "1");
        assertThat(utf8(w)).isEqualTo("{\"type\":\"pong\",\"id\":1}");
    }

    /** An id exactly as the parser gives it back for the client's frame, echoed in a reply. */
    private String echoedId(String clientFrame) throws ProtocolException {
        byte[] in = clientFrame.getBytes(StandardCharsets.UTF_8);
        ClientOp op = new ClientOpParser(16).parse(in, 0, in.length);
        ServerMessages.pong(w, op.rawId());
        return (String) parseObject(w).get("id");
    }

    @Test
    void parsedStringIdsRoundTripIntoReplies() throws Exception {
        assertThat(echoedId("{\"op\":\"ping\",\"id\":\"a\\\"b\\\\c\"}")).isEqualTo("a\"b\\c");
        assertThat(echoedId("{\"op\":\"ping\",\"id\":\"\\n\\u0001\"}")).isEqualTo("\n\u0001");
    }

    /**
     * A client's string id with non-ASCII characters ("café", "日本", an emoji) must come back as the same
     * string in valid UTF-8 (RFC 6455 requires text frames to be valid UTF-8; a client fails the connection
     * with 1007 otherwise).
     */
    @Test
    void parsedNonAsciiStringIdsRoundTripIntoRepliesAsUtf8() throws Exception {
        assertThat(echoedId("{\"op\":\"ping\",\"id\":\"caf\u00e9\"}")).isEqualTo("caf\u00e9");
        assertThat(echoedId("{\"op\":\"ping\",\"id\":\"\u65e5\u672c\"}")).isEqualTo("\u65e5\u672c");
        assertThat(echoedId("{\"op\":\"ping\",\"id\":\"\ud83d\ude00\"}")).isEqualTo("\ud83d\ude00");
    }

    @Test
    void nonAsciiIdInEveryReplyType() {
        String rawId = JsonWriter.quote("\u00e9");
        for (JsonWriter m : new JsonWriter[] {
                ServerMessages.pong(new JsonWriter(16), rawId),
                ServerMessages.subscribed(new JsonWriter(16), rawId, "a:b", "reliable", 1, "e"),
                ServerMessages.unsubscribed(new JsonWriter(16), rawId, "a:b", null),
                ServerMessages.error(new JsonWriter(16), rawId, "a:b", ErrorCode.FORBIDDEN, "no")}) {
            assertThat(parseObject(m)).containsEntry("id", "\u00e9");
        }
    }

    @Test
    void nonAsciiRoomReasonAndEpochAreUtf8() {
        ServerMessages.reset(w, "r:\u00e9", 1, "\u00e9p", "\u2603");
        assertThat(parseObject(w)).containsEntry("room", "r:\u00e9").containsEntry("epoch", "\u00e9p")
                .containsEntry("reason", "\u2603");
    }
}
