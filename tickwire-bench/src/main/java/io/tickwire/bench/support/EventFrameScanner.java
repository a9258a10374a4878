package io.tickwire.bench.support;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Reads just what the fan-out check needs from a text frame's bytes, without parsing the JSON: whether it
 * is an {@code event}, its room's index ({@code <kind>:B<r>}), and the publisher's {@code "t"} (epoch µs)
 * and {@code "c"} (per-room counter) inside {@code data}. The envelope's own keys ({@code type}, {@code room},
 * {@code seq}, {@code ts}, {@code data}) never read as {@code "t":} or {@code "c":}, and the bench's padding
 * is letters only, so the first match is the publisher's.
 */
public final class EventFrameScanner {

    static final byte[] EVENT = bytes("\"type\":\"event\"");
    static final byte[] ROOM = bytes("\"room\":\"");
    static final byte[] T = bytes("\"t\":");
    static final byte[] C = bytes("\"c\":");

    private EventFrameScanner() {}

    public static boolean isEvent(ByteBuf frame) {
        return indexOf(frame, EVENT, frame.readerIndex()) >= 0;
    }

    public static boolean isType(ByteBuf frame, String type) {
        return indexOf(frame, bytes("\"type\":\"" + type + "\""), frame.readerIndex()) >= 0;
    }

    /** The publisher's timestamp, or -1 when absent. */
    public static long t(ByteBuf frame) {
        return longAfter(frame, T);
    }

    /** The publisher's per-room counter, or -1 when absent. */
    public static long c(ByteBuf frame) {
        return longAfter(frame, C);
    }

    /** r of a room named {@code <kind>:B<r>}, or -1. */
    public static int roomIndex(ByteBuf frame) {
        int i = indexOf(frame, ROOM, frame.readerIndex());
        if (i < 0) {
            return -1;
        }
        int end = frame.writerIndex();
        int p = i + ROOM.length;
        while (p < end && frame.getByte(p) != ':' && frame.getByte(p) != '"') {
            p++;
        }
        if (p + 1 >= end || frame.getByte(p) != ':' || frame.getByte(p + 1) != 'B') {
            return -1;
        }
        long r = parseDigits(frame, p + 2);
        return r > Integer.MAX_VALUE ? -1 : (int) r;
    }

    static long longAfter(ByteBuf frame, byte[] key) {
        int i = indexOf(frame, key, frame.readerIndex());
        return i < 0 ? -1 : parseDigits(frame, i + key.length);
    }

    /** The non-negative decimal number starting at {@code from}, or -1 when there is none. */
    static long parseDigits(ByteBuf frame, int from) {
        int end = frame.writerIndex();
        long value = 0;
        int p = from;
        for (; p < end; p++) {
            int b = frame.getByte(p);
            if (b < '0' || b > '9') {
                break;
            }
            value = value * 10 + (b - '0');
        }
        return p == from ? -1 : value;
    }

    static int indexOf(ByteBuf frame, byte[] needle, int from) {
        int last = frame.writerIndex() - needle.length;
        outer:
        for (int i = from; i <= last; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (frame.getByte(i + j) != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
