package io.tickwire.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Client operations per contract §2: every op, ids, rooms, resume points, and every kind of bad frame. */
class ClientOpParserTest {

    private static final int MAX_DEPTH = 6;

    private final ClientOpParser parser = new ClientOpParser(MAX_DEPTH);

    private ClientOp parse(String frame) throws ProtocolException {
        byte[] bytes = frame.getBytes(StandardCharsets.UTF_8);
        return parser.parse(bytes, 0, bytes.length);
    }

    private ProtocolException reject(String frame) {
        ProtocolException e = catchThrowableOfType(ProtocolException.class, () -> parse(frame));
        assertThat(e).as("expected %s to be rejected", frame).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(e.getMessage()).isNotBlank();
        return e;
    }

    // ---- every op ----

    @Test
    void subscribe() throws Exception {
        ClientOp op = parse("{\"op\":\"subscribe\",\"id\":1,\"rooms\":[\"price:AAPL\",\"account:42\"]}");
        assertThat(op).isInstanceOf(ClientOp.Subscribe.class);
        ClientOp.Subscribe s = (ClientOp.Subscribe) op;
        assertThat(s.rawId()).isEqualTo("1");
        assertThat(s.rooms()).containsExactly("price:AAPL", "account:42");
        assertThat(s.resume()).isEmpty();
    }

    @Test
    void subscribeWithResume() throws Exception {
        ClientOp.Subscribe s = (ClientOp.Subscribe) parse("{\"op\":\"subscribe\",\"id\":1,"
                + "\"rooms\":[\"price:AAPL\",\"account:42\"],"
                + "\"resume\":{\"account:42\":{\"seq\":1187,\"epoch\":\"m-5f2a\"},\"price:AAPL\":{\"epoch\":\"e\",\"seq\":0}}}");
        assertThat(s.rooms()).containsExactly("price:AAPL", "account:42");
        assertThat(s.resume()).containsOnly(
                Map.entry("account:42", new ClientOp.ResumePoint(1187, "m-5f2a")),
                Map.entry("price:AAPL", new ClientOp.ResumePoint(0, "e")));
    }

    @Test
    void resumeSeqUpToLongMaxIsAccepted() throws Exception {
        ClientOp.Subscribe s = (ClientOp.Subscribe) parse("{\"op\":\"subscribe\",\"rooms\":[\"a:b\"],"
                + "\"resume\":{\"a:b\":{\"seq\":9223372036854775807,\"epoch\":\"e\"}}}");
        assertThat(s.resume().get("a:b").seq()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void unsubscribe() throws Exception {
        ClientOp op = parse("{\"op\":\"unsubscribe\",\"id\":\"u\",\"rooms\":[\"price:AAPL\"]}");
        assertThat(op).isEqualTo(new ClientOp.Unsubscribe("\"u\"", List.of("price:AAPL")));
    }

    @Test
    void ping() throws Exception {
        assertThat(parse("{\"op\":\"ping\",\"id\":3}")).isEqualTo(new ClientOp.Ping("3"));
        assertThat(parse("{\"op\":\"ping\"}")).isEqualTo(new ClientOp.Ping(null));
    }

    @Test
    void refresh() throws Exception {
        assertThat(parse("{\"op\":\"refresh\",\"id\":4,\"token\":\"a.b.c\"}"))
                .isEqualTo(new ClientOp.Refresh("4", "a.b.c"));
    }

    @Test
    void refreshWithoutTokenOrWithNonStringTokenIsBadRequest() {
        assertThat(reject("{\"op\":\"refresh\",\"id\":4}").rawId()).isEqualTo("4");
        assertThat(reject("{\"op\":\"refresh\",\"id\":4,\"token\":42}").rawId()).isEqualTo("4");
        reject("{\"op\":\"refresh\",\"token\":null}");
        reject("{\"op\":\"refresh\",\"token\":{\"t\":\"a\"}}");
    }

    @Test
    void fieldOrderDoesNotMatter() throws Exception {
        assertThat(parse("{\"rooms\":[\"a:b\"],\"id\":9,\"op\":\"unsubscribe\"}"))
                .isEqualTo(new ClientOp.Unsubscribe("9", List.of("a:b")));
    }

    @Test
    void whitespaceAroundTheObjectIsAccepted() throws Exception {
        assertThat(parse(" \r\n\t{ \"op\" : \"ping\" , \"id\" : 1 }\n ")).isEqualTo(new ClientOp.Ping("1"));
    }

    @Test
    void parsesTheGivenSliceOfTheArray() throws Exception {
        byte[] op = "{\"op\":\"ping\",\"id\":5}".getBytes(StandardCharsets.UTF_8);
        byte[] framed = new byte[op.length + 8];
        java.util.Arrays.fill(framed, (byte) 'x');
        System.arraycopy(op, 0, framed, 4, op.length);
        assertThat(parser.parse(framed, 4, op.length)).isEqualTo(new ClientOp.Ping("5"));
    }

    // ---- ids ----

    @Test
    void numericIdIsKeptAsRawJson() throws Exception {
        assertThat(parse("{\"op\":\"ping\",\"id\":7}").rawId()).isEqualTo("7");
        assertThat(parse("{\"op\":\"ping\",\"id\":0}").rawId()).isEqualTo("0");
        assertThat(parse("{\"op\":\"ping\",\"id\":-12}").rawId()).isEqualTo("-12");
        assertThat(parse("{\"op\":\"ping\",\"id\":12345678901234567890}").rawId()).isEqualTo("12345678901234567890");
    }

    /**
     * Contract §2: "Every operation may carry an id (a number or string chosen by the client)". A fractional
     * or exponent number is a JSON number and must be echoed, not refused.
     */
    @ParameterizedTest
    @ValueSource(strings = {"1.5", "-0.25", "1e3", "2E-2"})
    void nonIntegerNumberIdIsKeptAsRawJson(String id) throws Exception {
        assertThat(parse("{\"op\":\"ping\",\"id\":" + id + "}").rawId()).isEqualTo(id);
    }

    @Test
    void stringIdIsKeptQuotedAndEscaped() throws Exception {
        assertThat(parse("{\"op\":\"ping\",\"id\":\"a\"}").rawId()).isEqualTo("\"a\"");
        assertThat(parse("{\"op\":\"ping\",\"id\":\"a\\\"b\"}").rawId()).isEqualTo("\"a\\\"b\"");
        assertThat(parse("{\"op\":\"ping\",\"id\":\"back\\\\slash\"}").rawId()).isEqualTo("\"back\\\\slash\"");
        assertThat(parse("{\"op\":\"ping\",\"id\":\"tab\\there\"}").rawId()).isEqualTo("\"tab\\u0009here\"");
        assertThat(parse("{\"op\":\"ping\",\"id\":\"\"}").rawId()).isEqualTo("\"\"");
        assertThat(parse("{\"op\":\"ping\",\"id\":\"\\u0041\"}").rawId()).isEqualTo("\"A\"");
        assertThat(parse("{\"op\":\"ping\",\"id\":\"caf\u00e9\"}").rawId()).isEqualTo("\"caf\u00e9\"");
    }

    @Test
    void stringIdOf128CharactersIsAcceptedAnd129IsNot() throws Exception {
        String id128 = "i".repeat(128);
        assertThat(parse("{\"op\":\"ping\",\"id\":\"" + id128 + "\"}").rawId()).isEqualTo("\"" + id128 + "\"");
        reject("{\"op\":\"ping\",\"id\":\"" + id128 + "i\"}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"true", "false", "null", "[1]", "{\"a\":1}"})
    void idOfAnotherTypeIsBadRequest(String id) {
        reject("{\"op\":\"ping\",\"id\":" + id + "}");
    }

    @Test
    void idIsKeptInTheExceptionWhenTheOpIsUnknown() {
        ProtocolException e = reject("{\"op\":\"dance\",\"id\":7}");
        assertThat(e.rawId()).isEqualTo("7");
        assertThat(e.getMessage()).contains("dance");
        assertThat(reject("{\"id\":\"x\\\"y\",\"op\":\"dance\"}").rawId()).isEqualTo("\"x\\\"y\"");
    }

    @Test
    void idIsKeptInTheExceptionWhenSomethingElseIsWrong() {
        assertThat(reject("{\"op\":\"subscribe\",\"id\":8}").rawId()).isEqualTo("8");
        assertThat(reject("{\"op\":\"subscribe\",\"id\":8,\"rooms\":[]}").rawId()).isEqualTo("8");
        assertThat(reject("{\"id\":8}").rawId()).isEqualTo("8");
        assertThat(reject("{\"id\":8,\"op\":5}").rawId()).isEqualTo("8");
        assertThat(reject("{\"op\":\"ping\",\"id\":8} x").rawId()).isEqualTo("8");
    }

    @Test
    void unknownOpMessageIsTruncated() {
        String longOp = "x".repeat(5000);
        ProtocolException e = reject("{\"op\":\"" + longOp + "\"}");
        assertThat(e.getMessage().length()).isLessThan(200);
    }

    // ---- rooms ----

    @Test
    void duplicateRoomsAreRemovedPreservingFirstOccurrenceOrder() throws Exception {
        ClientOp.Subscribe s = (ClientOp.Subscribe) parse(
                "{\"op\":\"subscribe\",\"rooms\":[\"b:2\",\"a:1\",\"b:2\",\"c:3\",\"a:1\",\"b:2\"]}");
        assertThat(s.rooms()).containsExactly("b:2", "a:1", "c:3");
        ClientOp.Unsubscribe u = (ClientOp.Unsubscribe) parse(
                "{\"op\":\"unsubscribe\",\"rooms\":[\"z:9\",\"z:9\",\"y:8\"]}");
        assertThat(u.rooms()).containsExactly("z:9", "y:8");
    }

    @Test
    void roomNamesArePassedThroughForPerRoomErrors() throws Exception {
        // Validation of each name is per room (an error per room, contract §2), not for the whole op.
        ClientOp.Subscribe s = (ClientOp.Subscribe) parse("{\"op\":\"subscribe\",\"rooms\":[\"price:BRK/B\",\"ok:1\"]}");
        assertThat(s.rooms()).containsExactly("price:BRK/B", "ok:1");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"op\":\"subscribe\"}",
        "{\"op\":\"subscribe\",\"rooms\":[]}",
        "{\"op\":\"subscribe\",\"rooms\":null}",
        "{\"op\":\"subscribe\",\"rooms\":\"price:AAPL\"}",
        "{\"op\":\"subscribe\",\"rooms\":{\"price:AAPL\":1}}",
        "{\"op\":\"subscribe\",\"rooms\":[\"price:AAPL\",1]}",
        "{\"op\":\"subscribe\",\"rooms\":[[\"price:AAPL\"]]}",
        "{\"op\":\"subscribe\",\"rooms\":[null]}",
        "{\"op\":\"unsubscribe\"}",
        "{\"op\":\"unsubscribe\",\"rooms\":[]}",
        "{\"op\":\"unsubscribe\",\"rooms\":[{\"a\":\"b\"}]}",
    })
    void missingOrMalformedRoomsIsBadRequest(String frame) {
        reject(frame);
    }

    // ---- resume ----

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"a:b\":{\"epoch\":\"e\"}}",                    // missing seq
        "{\"a:b\":{\"seq\":1}}",                          // missing epoch
        "{\"a:b\":{\"seq\":-1,\"epoch\":\"e\"}}",         // negative seq
        "{\"a:b\":{\"seq\":\"1\",\"epoch\":\"e\"}}",      // seq as a string
        "{\"a:b\":{\"seq\":1.5,\"epoch\":\"e\"}}",        // fractional seq
        "{\"a:b\":{\"seq\":99999999999999999999,\"epoch\":\"e\"}}", // beyond a long
        "{\"a:b\":{\"seq\":1,\"epoch\":7}}",              // epoch not a string
        "{\"a:b\":{\"seq\":1,\"epoch\":null}}",
        "{\"a:b\":{}}",
        "{\"a:b\":1}",                                    // entry not an object
        "{\"a:b\":[1,\"e\"]}",
        "{\"a:b\":null}",
        "[]",                                             // resume not an object
        "\"a:b\"",
        "7",
    })
    void malformedResumeIsBadRequest(String resume) {
        ProtocolException e = reject("{\"op\":\"subscribe\",\"id\":2,\"rooms\":[\"a:b\"],\"resume\":" + resume + "}");
        assertThat(e.rawId()).isEqualTo("2");
    }

    @Test
    void malformedResumeIsBadRequestEvenWhenFollowedByMoreFields() {
        ProtocolException e = reject("{\"op\":\"subscribe\",\"resume\":{\"a:b\":{\"seq\":-5,\"epoch\":\"e\"},"
                + "\"c:d\":{\"seq\":1,\"epoch\":\"e\"}},\"rooms\":[\"a:b\"],\"id\":3}");
        assertThat(e.rawId()).isEqualTo("3");
    }

    @Test
    void unknownFieldsInsideResumePointsAreIgnored() throws Exception {
        ClientOp.Subscribe s = (ClientOp.Subscribe) parse("{\"op\":\"subscribe\",\"rooms\":[\"a:b\"],"
                + "\"resume\":{\"a:b\":{\"x\":{\"y\":[1,2]},\"seq\":4,\"z\":null,\"epoch\":\"e\"}}}");
        assertThat(s.resume()).containsExactly(Map.entry("a:b", new ClientOp.ResumePoint(4, "e")));
    }

    // ---- unknown fields, bad frames ----

    @Test
    void unknownFieldsAreIgnored() throws Exception {
        assertThat(parse("{\"op\":\"ping\",\"id\":1,\"extra\":{\"deep\":[1,{\"a\":null}]},\"n\":1.5,\"s\":\"x\",\"b\":true}"))
                .isEqualTo(new ClientOp.Ping("1"));
        assertThat(parse("{\"zzz\":[],\"op\":\"unsubscribe\",\"rooms\":[\"a:b\"],\"token\":\"ignored\"}"))
                .isEqualTo(new ClientOp.Unsubscribe(null, List.of("a:b")));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"op\":\"ping\"} x",
        "{\"op\":\"ping\"}{}",
        "{\"op\":\"ping\"}{\"op\":\"ping\"}",
        "{\"op\":\"ping\"}}",
        "{\"op\":\"ping\"}]",
        "{\"op\":\"ping\"} 1",
        "{\"op\":\"ping\"}\"\"",
        "{\"op\":\"ping\"},",
    })
    void trailingContentIsBadRequest(String frame) {
        reject(frame);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        " ",
        "[]",
        "[{\"op\":\"ping\"}]",
        "\"ping\"",
        "1",
        "null",
        "true",
    })
    void nonObjectFramesAreBadRequest(String frame) {
        ProtocolException e = reject(frame);
        assertThat(e.rawId()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{",
        "{\"op\":\"ping\"",
        "{\"op\":\"ping\",}",
        "{op:\"ping\"}",
        "{'op':'ping'}",
        "{\"op\":ping}",
        "{\"op\":\"ping\",\"id\":01}",
        "{\"op\":\"ping\",\"id\":NaN}",
        "{\"op\":\"subscribe\",\"rooms\":[\"a:b\"",
        "{\"op\":\"subscribe\",\"rooms\":[\"a:b\",]}",
        "{\"op\":\"ping\" /* c */}",
        "{\"op\":\"pi\u0001ng\"}",
    })
    void invalidJsonIsBadRequest(String frame) {
        reject(frame);
    }

    @Test
    void missingOrMistypedOpIsBadRequest() {
        reject("{}");
        reject("{\"id\":1}");
        reject("{\"op\":null}");
        reject("{\"op\":1}");
        reject("{\"op\":[\"ping\"]}");
        reject("{\"op\":{\"name\":\"ping\"}}");
        reject("{\"op\":\"PING\"}");
        reject("{\"op\":\"\"}");
    }

    // ---- nesting ----

    private static String nested(int depth) {
        // the frame object is depth 1; each array adds one
        return "{\"op\":\"ping\",\"x\":" + "[".repeat(depth - 1) + "]".repeat(depth - 1) + "}";
    }

    @Test
    void nestingUpToTheLimitIsAccepted() throws Exception {
        assertThat(parse(nested(MAX_DEPTH))).isEqualTo(new ClientOp.Ping(null));
    }

    @Test
    void nestingDeeperThanTheLimitIsBadRequest() {
        reject(nested(MAX_DEPTH + 1));
        reject(nested(1000));
        reject("{\"op\":\"subscribe\",\"rooms\":[\"a:b\"],\"resume\":{\"a:b\":{\"seq\":1,\"epoch\":\"e\",\"x\":"
                + "{\"a\":".repeat(MAX_DEPTH) + "1" + "}".repeat(MAX_DEPTH) + "}}}");
    }

    @Test
    void deepNestingKeepsAnIdReadBeforeIt() {
        ProtocolException e = reject("{\"op\":\"ping\",\"id\":11,\"x\":" + "[".repeat(100) + "]".repeat(100) + "}");
        assertThat(e.rawId()).isEqualTo("11");
    }

    @Test
    void parserIsReusable() throws Exception {
        reject("{\"op\":");
        assertThat(parse("{\"op\":\"ping\",\"id\":1}")).isEqualTo(new ClientOp.Ping("1"));
        reject(nested(MAX_DEPTH + 1));
        assertThat(parse("{\"op\":\"ping\",\"id\":2}")).isEqualTo(new ClientOp.Ping("2"));
    }
}
