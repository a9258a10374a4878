package io.tickwire.gateway.demo;

/** Money in whole cents, written as JSON numbers with exactly two decimals (no floating-point noise). */
final class Cents {

    private Cents() {}

    /** {@code 18931} as {@code 189.31}, {@code -5} as {@code -0.05}. */
    static String json(long cents) {
        long abs = Math.abs(cents);
        long fraction = abs % 100;
        return (cents < 0 ? "-" : "") + abs / 100 + (fraction < 10 ? ".0" : ".") + fraction;
    }
}
