package io.tickwire.gateway.demo;

import java.nio.charset.StandardCharsets;

/**
 * Writes one flat JSON object (string and integer fields, and money as exact decimals) straight to
 * UTF-8 bytes. The simulator's messages are small and fixed in shape, so this is all it needs; money is
 * kept in integer cents and written with exactly two decimals, never through a {@code double}.
 */
final class FlatJsonWriter {

    private final StringBuilder out = new StringBuilder(128).append('{');

    FlatJsonWriter string(String name, String value) {
        name(name);
        quoted(value);
        return this;
    }

    FlatJsonWriter number(String name, long value) {
        name(name);
        out.append(value);
        return this;
    }

    /** Writes {@code cents} as a decimal number with two places: 18931 as {@code 189.31}, -5 as {@code -0.05}. */
    FlatJsonWriter cents(String name, long cents) {
        name(name);
        if (cents < 0) {
            out.append('-');
        }
        long abs = Math.abs(cents);
        long fraction = abs % 100;
        out.append(abs / 100).append('.').append(fraction < 10 ? "0" : "").append(fraction);
        return this;
    }

    byte[] toBytes() {
        return out.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    private void name(String name) {
        if (out.length() > 1) {
            out.append(',');
        }
        quoted(name);
        out.append(':');
    }

    private void quoted(String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
