package io.tickwire.nats;

import io.tickwire.protocol.RoomName;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Maps room names to NATS subjects and back: {@code kind:key} is {@code <prefix>.<kind>.<escaped key>}.
 *
 * <p>A NATS subject token cannot carry {@code .} (the token separator), {@code *}, {@code >} or whitespace, and
 * room keys may contain {@code .} ({@code price:BRK.B}). So every byte of the key's UTF-8 outside
 * {@code [A-Za-z0-9_-]}, {@code %} included, becomes {@code %XX} (upper-case hex): the key is always exactly
 * one token and the mapping is reversible. {@code price:BRK.B} is {@code tickwire.price.BRK%2EB}. Kinds
 * ({@code [a-z][a-z0-9]*}) never need escaping.
 *
 * <p>Decoding accepts only the canonical form (no escape of a byte that needs none, upper-case hex), so one
 * room has exactly one subject: history reads, which ask for the canonical subject, see everything the live
 * stream delivered for the room.
 */
public final class SubjectCodec {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private final String prefix;
    private final String prefixDot;

    /** @param prefix one or more subject tokens, such as {@code tickwire} or {@code acme.tickwire} */
    public SubjectCodec(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        for (String token : prefix.split("\\.", -1)) {
            if (token.isEmpty() || !token.chars().allMatch(SubjectCodec::plainSubjectChar)) {
                throw new IllegalArgumentException("subject prefix must be dot-separated tokens of [A-Za-z0-9_-]: " + prefix);
            }
        }
        this.prefix = prefix;
        this.prefixDot = prefix + ".";
    }

    public String prefix() {
        return prefix;
    }

    /** The subject of a well-formed room name. */
    public String subject(String room) {
        int colon = room.indexOf(':');
        if (colon <= 0 || !RoomName.isValidKind(room.substring(0, colon))) {
            throw new IllegalArgumentException("not a room name: " + room);
        }
        return prefixDot + room.substring(0, colon) + '.' + escapeKey(room.substring(colon + 1));
    }

    /** The filter matching every room of {@code kind}: {@code <prefix>.<kind>.>}. */
    public String kindFilter(String kind) {
        if (!RoomName.isValidKind(kind)) {
            throw new IllegalArgumentException("not a room kind: " + kind);
        }
        return prefixDot + kind + ".>";
    }

    /**
     * The room a subject names, or null if it names none: another prefix, not exactly one key token, a
     * non-canonical escape, or a room name the protocol does not allow.
     */
    public String room(String subject) {
        if (subject == null || !subject.startsWith(prefixDot)) {
            return null;
        }
        int kindEnd = subject.indexOf('.', prefixDot.length());
        if (kindEnd < 0 || subject.indexOf('.', kindEnd + 1) >= 0) {
            return null;
        }
        String kind = subject.substring(prefixDot.length(), kindEnd);
        String key = unescapeKey(subject.substring(kindEnd + 1));
        if (key == null) {
            return null;
        }
        String room = kind + ':' + key;
        return RoomName.isValid(room) ? room : null;
    }

    /** Escapes a room key into one subject token. */
    public static String escapeKey(String key) {
        byte[] utf8 = key.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(utf8.length + 8);
        for (byte b : utf8) {
            int c = b & 0xFF;
            if (plainSubjectChar(c)) {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        return out.toString();
    }

    /** Reverses {@link #escapeKey}; null if {@code token} is not a canonical escaped key. */
    public static String unescapeKey(String token) {
        if (token.isEmpty()) {
            return null;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(token.length());
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c == '%') {
                if (i + 2 >= token.length()) {
                    return null;
                }
                int hi = hexValue(token.charAt(i + 1));
                int lo = hexValue(token.charAt(i + 2));
                int b = hi << 4 | lo;
                if (hi < 0 || lo < 0 || plainSubjectChar(b)) {
                    return null; // not upper-case hex, or an escape the encoder would never write
                }
                bytes.write(b);
                i += 2;
            } else if (plainSubjectChar(c)) {
                bytes.write(c);
            } else {
                return null;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static boolean plainSubjectChar(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    }

    private static int hexValue(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
