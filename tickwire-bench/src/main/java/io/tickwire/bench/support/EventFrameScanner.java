package io.tickwire.bench.support;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads just what the bench's checks need from a text frame's bytes, without parsing the JSON: whether it
 * is an {@code event} (or another type), its room's index ({@code <kind>:B<r>}), its {@code seq} and
 * {@code epoch}, and the publisher's {@code "t"} (epoch µs) and {@code "c"} (per-room counter) inside
 * {@code data}. The envelope's own keys ({@code type}, {@code room}, {@code seq}, {@code ts}, {@code data}) never
 * read as {@code "t":} or {@code "c":}, and the bench's padding is letters only, so the first match is the
 * publisher's.
 *
 * <p>Every search is one {@link ByteBuf#forEachByte} pass (Knuth–Morris–Pratt, so no byte is read twice), not a
 * {@code getByte} per byte: cheaper on a direct buffer, and under Netty's paranoid leak detection (the tests')
 * one recorded access per search instead of one per byte.
 */
public final class EventFrameScanner {

    static final Needle EVENT = Needle.of("\"type\":\"event\"");
    static final Needle ROOM = Needle.of("\"room\":\"");
    static final Needle T = Needle.of("\"t\":");
    static final Needle C = Needle.of("\"c\":");
    static final Needle SEQ = Needle.of("\"seq\":");
    static final Needle EPOCH = Needle.of("\"epoch\":\"");
    private static final Map<String, Needle> TYPES = new ConcurrentHashMap<>();

    private EventFrameScanner() {}

    public static boolean isEvent(ByteBuf frame) {
        return contains(frame, EVENT);
    }

    public static boolean isType(ByteBuf frame, String type) {
        return contains(frame, TYPES.computeIfAbsent(type, t -> Needle.of("\"type\":\"" + t + "\"")));
    }

    /** The publisher's timestamp, or -1 when absent. */
    public static long t(ByteBuf frame) {
        return longAfter(frame, T);
    }

    /** The publisher's per-room counter, or -1 when absent. */
    public static long c(ByteBuf frame) {
        return longAfter(frame, C);
    }

    /** The envelope's {@code seq} (of an event, {@code subscribed}, {@code reset}), or -1 when absent. */
    public static long seq(ByteBuf frame) {
        return longAfter(frame, SEQ);
    }

    /** The {@code epoch} of a {@code subscribed} or {@code reset}, or null when absent. */
    public static String epoch(ByteBuf frame) {
        int i = indexOf(frame, EPOCH, frame.readerIndex());
        if (i < 0) {
            return null;
        }
        int from = i + EPOCH.length();
        int end = frame.indexOf(from, frame.writerIndex(), (byte) '"');
        return end < 0 ? null : frame.toString(from, end - from, StandardCharsets.UTF_8);
    }

    /** r of a room named {@code <kind>:B<r>}, or -1. */
    public static int roomIndex(ByteBuf frame) {
        int i = indexOf(frame, ROOM, frame.readerIndex());
        if (i < 0) {
            return -1;
        }
        int from = i + ROOM.length();
        int end = frame.writerIndex();
        int p = from >= end ? -1 : frame.forEachByte(from, end - from, b -> b != ':' && b != '"');
        if (p < 0 || p + 1 >= end || frame.getByte(p) != ':' || frame.getByte(p + 1) != 'B') {
            return -1;
        }
        long r = parseDigits(frame, p + 2);
        return r > Integer.MAX_VALUE ? -1 : (int) r;
    }

    /** Whether {@code needle} occurs in the frame. */
    public static boolean contains(ByteBuf frame, Needle needle) {
        return indexOf(frame, needle, frame.readerIndex()) >= 0;
    }

    static long longAfter(ByteBuf frame, Needle key) {
        int i = indexOf(frame, key, frame.readerIndex());
        return i < 0 ? -1 : parseDigits(frame, i + key.length());
    }

    /** The non-negative decimal number starting at {@code from}, or -1 when there is none. */
    static long parseDigits(ByteBuf frame, int from) {
        int end = frame.writerIndex();
        if (from >= end) {
            return -1;
        }
        Digits digits = new Digits();
        frame.forEachByte(from, end - from, digits);
        return digits.count == 0 ? -1 : digits.value;
    }

    /** Where {@code needle} first occurs at or after {@code from}, or -1. */
    static int indexOf(ByteBuf frame, Needle needle, int from) {
        int end = frame.writerIndex();
        if (end - from < needle.length()) {
            return -1;
        }
        int last = frame.forEachByte(from, end - from, needle.matcher());
        return last < 0 ? -1 : last - needle.length() + 1;
    }

    /** An ASCII string to search for, with its Knuth–Morris–Pratt failure table. Immutable. */
    public static final class Needle {

        private final byte[] bytes;
        private final int[] fallback; // fallback[j]: the longest proper border of bytes[0..j]

        private Needle(byte[] bytes) {
            this.bytes = bytes;
            this.fallback = new int[bytes.length];
            for (int j = 1, k = 0; j < bytes.length; j++) {
                while (k > 0 && bytes[j] != bytes[k]) {
                    k = fallback[k - 1];
                }
                if (bytes[j] == bytes[k]) {
                    k++;
                }
                fallback[j] = k;
            }
        }

        public static Needle of(String ascii) {
            if (ascii.isEmpty()) {
                throw new IllegalArgumentException("needle must not be empty");
            }
            return new Needle(ascii.getBytes(StandardCharsets.US_ASCII));
        }

        int length() {
            return bytes.length;
        }

        /** A fresh matcher: stops ({@code false}) on the needle's last byte. */
        ByteProcessor matcher() {
            return new ByteProcessor() {
                private int matched;

                @Override
                public boolean process(byte b) {
                    while (matched > 0 && b != bytes[matched]) {
                        matched = fallback[matched - 1];
                    }
                    if (b == bytes[matched]) {
                        matched++;
                    }
                    return matched < bytes.length;
                }
            };
        }
    }

    /** Accumulates a run of decimal digits; stops at the first other byte. */
    private static final class Digits implements ByteProcessor {
        long value;
        int count;

        @Override
        public boolean process(byte b) {
            if (b < '0' || b > '9') {
                return false;
            }
            value = value * 10 + (b - '0');
            count++;
            return true;
        }
    }
}
