package io.tickwire.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A small writer of flat JSON objects into a reusable byte array, UTF-8. Values that are already JSON
 * (an event's {@code data}, an operation's raw {@code id}) are spliced in as bytes, never re-encoded.
 * Not thread-safe; reuse one per thread with {@link #reset()}.
 */
public final class JsonWriter {

    private byte[] buf;
    private int len;
    private boolean firstField;

    public JsonWriter(int initialCapacity) {
        this.buf = new byte[Math.max(16, initialCapacity)];
    }

    public JsonWriter reset() {
        len = 0;
        return this;
    }

    public JsonWriter beginObject() {
        put((byte) '{');
        firstField = true;
        return this;
    }

    public JsonWriter endObject() {
        put((byte) '}');
        firstField = false;
        return this;
    }

    public JsonWriter field(String name, String value) {
        name(name);
        if (value == null) {
            ascii("null");
        } else {
            string(value);
        }
        return this;
    }

    public JsonWriter field(String name, long value) {
        name(name);
        ascii(Long.toString(value));
        return this;
    }

    public JsonWriter field(String name, boolean value) {
        name(name);
        ascii(value ? "true" : "false");
        return this;
    }

    /** A field whose value is already JSON text (e.g. a raw id {@code 7} or {@code "a"}). */
    public JsonWriter rawField(String name, String json) {
        name(name);
        byte[] utf8 = json.getBytes(StandardCharsets.UTF_8);
        ensure(utf8.length);
        System.arraycopy(utf8, 0, buf, len, utf8.length);
        len += utf8.length;
        return this;
    }

    /** A field whose value is already JSON, as UTF-8 bytes. */
    public JsonWriter rawField(String name, byte[] json, int offset, int length) {
        name(name);
        ensure(length);
        System.arraycopy(json, offset, buf, len, length);
        len += length;
        return this;
    }

    public int length() {
        return len;
    }

    /** The internal buffer; valid up to {@link #length()} until the next write. */
    public byte[] buffer() {
        return buf;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, len);
    }

    @Override
    public String toString() {
        return new String(buf, 0, len, StandardCharsets.UTF_8);
    }

    /** {@code s} as a JSON string literal, quotes included. */
    public static String quote(String s) {
        JsonWriter w = new JsonWriter(s.length() + 8);
        w.string(s);
        return w.toString();
    }

    private void name(String name) {
        if (!firstField) {
            put((byte) ',');
        }
        firstField = false;
        string(name);
        put((byte) ':');
    }

    private void string(String s) {
        put((byte) '"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                put((byte) '\\');
                put((byte) c);
            } else if (c < 0x20) {
                ascii(String.format("\\u%04x", (int) c));
            } else if (c < 0x80) {
                put((byte) c);
            } else {
                int end = i + 1;
                while (end < s.length() && s.charAt(end) >= 0x80) {
                    end++;
                }
                byte[] utf8 = s.substring(i, end).getBytes(StandardCharsets.UTF_8);
                ensure(utf8.length);
                System.arraycopy(utf8, 0, buf, len, utf8.length);
                len += utf8.length;
                i = end - 1;
            }
        }
        put((byte) '"');
    }

    private void ascii(String s) {
        ensure(s.length());
        for (int i = 0; i < s.length(); i++) {
            buf[len++] = (byte) s.charAt(i);
        }
    }

    private void put(byte b) {
        ensure(1);
        buf[len++] = b;
    }

    private void ensure(int more) {
        if (len + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
        }
    }
}
