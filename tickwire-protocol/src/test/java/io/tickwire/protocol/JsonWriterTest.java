package io.tickwire.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The flat JSON writer: output is strict JSON (checked with jackson-core), strings escaped, UTF-8. */
class JsonWriterTest {

    private static final JsonFactory JSON = new JsonFactory();

    /** Parses one complete JSON value (and nothing after it) into maps, lists, strings, numbers, booleans, null. */
    static Object parseJson(byte[] bytes, int length) {
        assertValidUtf8(bytes, length);
        try (JsonParser p = JSON.createParser(bytes, 0, length)) {
            Object v = read(p, p.nextToken());
            assertThat(p.nextToken()).as("content after the JSON value").isNull();
            return v;
        } catch (IOException e) {
            throw new AssertionError("not valid JSON: " + new String(bytes, 0, length, StandardCharsets.UTF_8), e);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> parseObject(JsonWriter w) {
        Object v = parseJson(w.buffer(), w.length());
        assertThat(v).isInstanceOf(Map.class);
        return (Map<String, Object>) v;
    }

    private static Object read(JsonParser p, JsonToken t) throws IOException {
        switch (t) {
            case START_OBJECT: {
                Map<String, Object> m = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    assertThat(m).as("duplicate field %s", name).doesNotContainKey(name);
                    m.put(name, read(p, p.nextToken()));
                }
                return m;
            }
            case START_ARRAY: {
                List<Object> l = new ArrayList<>();
                JsonToken e;
                while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
                    l.add(read(p, e));
                }
                return l;
            }
            case VALUE_STRING:
                return p.getText();
            case VALUE_NUMBER_INT:
                return p.getLongValue();
            case VALUE_NUMBER_FLOAT:
                return p.getDoubleValue();
            case VALUE_TRUE:
                return true;
            case VALUE_FALSE:
                return false;
            case VALUE_NULL:
                return null;
            default:
                throw new AssertionError("unexpected token " + t);
        }
    }

    static void assertValidUtf8(byte[] bytes, int length) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 0, length));
        } catch (CharacterCodingException e) {
            throw new AssertionError("not valid UTF-8", e);
        }
    }

    private static String utf8(JsonWriter w) {
        return new String(w.buffer(), 0, w.length(), StandardCharsets.UTF_8);
    }

    // ---- structure ----

    @Test
    void emptyObject() {
        JsonWriter w = new JsonWriter(16).beginObject().endObject();
        assertThat(w.toString()).isEqualTo("{}");
        assertThat(w.length()).isEqualTo(2);
        assertThat(parseObject(w)).isEmpty();
    }

    @Test
    void fieldsOfEveryType() {
        JsonWriter w = new JsonWriter(16).beginObject()
                .field("s", "str").field("n", -42L).field("max", Long.MAX_VALUE).field("min", Long.MIN_VALUE)
                .field("t", true).field("f", false).field("nul", (String) null)
                .rawField("id", "7").rawField("q", "\"a\"")
                .endObject();
        assertThat(w.toString()).isEqualTo("{\"s\":\"str\",\"n\":-42,\"max\":9223372036854775807,"
                + "\"min\":-9223372036854775808,\"t\":true,\"f\":false,\"nul\":null,\"id\":7,\"q\":\"a\"}");
        Map<String, Object> m = parseObject(w);
        assertThat(m).containsExactly(
                Map.entry("s", "str"), Map.entry("n", -42L), Map.entry("max", Long.MAX_VALUE),
                Map.entry("min", Long.MIN_VALUE), Map.entry("t", true), Map.entry("f", false),
                new java.util.AbstractMap.SimpleEntry<>("nul", null), Map.entry("id", 7L), Map.entry("q", "a"));
    }

    @Test
    void rawBytesAreSplicedUntouchedFromTheGivenSlice() {
        byte[] around = "XX{ \"b\" : [1, 2.5, {\"c\":null}] , \"e\":\"\u00e9\" }YY".getBytes(StandardCharsets.UTF_8);
        int len = around.length - 4;
        JsonWriter w = new JsonWriter(16).beginObject().field("type", "event").rawField("data", around, 2, len).endObject();
        String data = new String(around, 2, len, StandardCharsets.UTF_8);
        assertThat(utf8(w)).isEqualTo("{\"type\":\"event\",\"data\":" + data + "}");
        Map<String, Object> m = parseObject(w);
        assertThat(m.get("data")).isInstanceOf(Map.class);
        assertThat(((Map<?, ?>) m.get("data")).get("e")).isEqualTo("\u00e9");
    }

    @Test
    void resetReusesTheWriter() {
        JsonWriter w = new JsonWriter(16);
        w.beginObject().field("a", "x".repeat(100)).endObject();
        w.reset().beginObject().field("b", 1).endObject();
        assertThat(w.toString()).isEqualTo("{\"b\":1}");
        assertThat(w.length()).isEqualTo(7);
        assertThat(w.toByteArray()).isEqualTo("{\"b\":1}".getBytes(StandardCharsets.US_ASCII));
        // a new object after reset starts without a leading comma even if the last one was not closed
        w.reset().beginObject().field("a", 1);
        w.reset().beginObject().field("c", 2).endObject();
        assertThat(w.toString()).isEqualTo("{\"c\":2}");
    }

    @Test
    void growsBeyondItsInitialCapacity() {
        JsonWriter w = new JsonWriter(0).beginObject();
        StringBuilder expected = new StringBuilder("{");
        for (int i = 0; i < 2000; i++) {
            w.field("k" + i, "v\u00e9" + i);
            expected.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"v\u00e9").append(i).append('"');
        }
        w.rawField("big", new byte[] {'1', '2', '3'}, 0, 3);
        w.endObject();
        expected.append(",\"big\":123}");
        assertThat(utf8(w)).isEqualTo(expected.toString());
        assertThat(parseObject(w)).hasSize(2001);
    }

    @Test
    void largeRawValueBeyondDoubleTheCapacity() {
        byte[] big = ("\"" + "z".repeat(100_000) + "\"").getBytes(StandardCharsets.US_ASCII);
        JsonWriter w = new JsonWriter(16).beginObject().rawField("d", big, 0, big.length).endObject();
        assertThat(w.length()).isEqualTo(big.length + 6);
        assertThat(parseObject(w).get("d")).isEqualTo("z".repeat(100_000));
    }

    @Test
    void toByteArrayIsACopyOfExactlyTheWrittenBytes() {
        JsonWriter w = new JsonWriter(64).beginObject().field("a", "b").endObject();
        byte[] copy = w.toByteArray();
        assertThat(copy).hasSize(w.length());
        assertThat(new String(copy, StandardCharsets.UTF_8)).isEqualTo("{\"a\":\"b\"}");
        w.reset().beginObject().field("c", "d").endObject();
        assertThat(new String(copy, StandardCharsets.UTF_8)).isEqualTo("{\"a\":\"b\"}");
    }

    // ---- escaping ----

    @Test
    void quotesAndBackslashesAreEscaped() {
        assertThat(JsonWriter.quote("a\"b")).isEqualTo("\"a\\\"b\"");
        assertThat(JsonWriter.quote("a\\b")).isEqualTo("\"a\\\\b\"");
        assertThat(JsonWriter.quote("\\\"")).isEqualTo("\"\\\\\\\"\"");
        assertThat(JsonWriter.quote("")).isEqualTo("\"\"");
        assertThat(JsonWriter.quote("/")).isEqualTo("\"/\"");
    }

    @Test
    void controlCharactersAreEscaped() {
        assertThat(JsonWriter.quote("\n")).isEqualTo("\"\\u000a\"");
        assertThat(JsonWriter.quote("\u0000")).isEqualTo("\"\\u0000\"");
        assertThat(JsonWriter.quote("\u001f")).isEqualTo("\"\\u001f\"");
        StringBuilder all = new StringBuilder();
        for (char c = 0; c < 0x20; c++) {
            all.append(c);
        }
        String quoted = JsonWriter.quote(all.toString());
        for (int i = 0; i < quoted.length(); i++) {
            assertThat(quoted.charAt(i)).as("raw control char at %d", i).isGreaterThanOrEqualTo(' ');
        }
        JsonWriter w = new JsonWriter(16).beginObject().field("c", all.toString()).endObject();
        assertThat(parseObject(w).get("c")).isEqualTo(all.toString());
    }

    @Test
    void nonAsciiIsWrittenAsUtf8() {
        String s = "caf\u00e9 \u20ac \u65e5\u672c \ud83d\ude00 \u007f \u2028\u2029 end";
        JsonWriter w = new JsonWriter(16).beginObject().field("s", s).endObject();
        byte[] expected = ("{\"s\":\"" + s + "\"}").getBytes(StandardCharsets.UTF_8);
        assertThat(w.toByteArray()).isEqualTo(expected);
        assertThat(parseObject(w).get("s")).isEqualTo(s);
        assertThat(JsonWriter.quote(s)).isEqualTo("\"" + s + "\"");
    }

    @Test
    void nonAsciiMixedWithEscapes() {
        String s = "\u00e9\"\u00e9\\\u00e9\n\u00e9\ud83d\ude00\"";
        JsonWriter w = new JsonWriter(16).beginObject().field("s", s).endObject();
        assertThat(parseObject(w).get("s")).isEqualTo(s);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\"b", "\\", "\u00e9", "\u65e5", "\ud83d\ude00", "x\ty"})
    void fieldNamesAreEscapedToo(String name) {
        JsonWriter w = new JsonWriter(16).beginObject().field(name, 1).endObject();
        assertThat(parseObject(w)).containsOnlyKeys(name);
    }

    @Test
    void randomStringsRoundTrip() {
        Random random = new Random(20241127);
        JsonWriter w = new JsonWriter(16);
        for (int n = 0; n < 2000; n++) {
            StringBuilder sb = new StringBuilder();
            int len = random.nextInt(40);
            for (int i = 0; i < len; i++) {
                int kind = random.nextInt(6);
                int cp = switch (kind) {
                    case 0 -> random.nextInt(0x20);
                    case 1 -> 0x20 + random.nextInt(0x60);
                    case 2 -> "\"\\".charAt(random.nextInt(2));
                    case 3 -> 0x80 + random.nextInt(0x780);
                    case 4 -> 0x800 + random.nextInt(0xD000 - 0x800);
                    default -> 0x10000 + random.nextInt(0x10FFFF - 0x10000);
                };
                sb.appendCodePoint(cp);
            }
            String s = sb.toString();
            w.reset().beginObject().field("s", s).field("k:" + s, s).endObject();
            Map<String, Object> m = parseObject(w);
            assertThat(m.get("s")).as("round trip of %s", s).isEqualTo(s);
            assertThat(m.get("k:" + s)).isEqualTo(s);
            byte[] quoted = JsonWriter.quote(s).getBytes(StandardCharsets.UTF_8);
            assertThat(parseJson(quoted, quoted.length)).isEqualTo(s);
        }
    }

    /** rawField(String) splices JSON text such as a quoted id; the bytes written must be its UTF-8 encoding. */
    @Test
    void rawTextFieldWithNonAsciiIsWrittenAsUtf8() {
        String raw = JsonWriter.quote("caf\u00e9-\u65e5");
        JsonWriter w = new JsonWriter(16).beginObject().rawField("id", raw).endObject();
        assertThat(w.toByteArray()).isEqualTo(("{\"id\":" + raw + "}").getBytes(StandardCharsets.UTF_8));
        assertThat(parseObject(w).get("id")).isEqualTo("caf\u00e9-\u65e5");
    }
}
