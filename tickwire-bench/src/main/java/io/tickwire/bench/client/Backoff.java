package io.tickwire.bench.client;

import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter, the Java client library's formula ({@code io.tickwire.client.Backoff}):
 * the n-th consecutive delay (n from 0) is drawn uniformly from {@code [min, ceiling(n)]}, where
 * {@code ceiling(n) = min(max, min * multiplier^(n+1))}. Immutable; the random source is passed per call so one
 * instance serves every client on every event loop.
 */
public final class Backoff {

    /** The client library's defaults: 250 ms, 30 s, 2. */
    public static final long DEFAULT_MIN_MILLIS = 250;
    public static final long DEFAULT_MAX_MILLIS = 30_000;
    public static final double DEFAULT_MULTIPLIER = 2.0;

    private final long minMillis;
    private final long maxMillis;
    private final double multiplier;

    public Backoff(long minMillis, long maxMillis, double multiplier) {
        if (minMillis <= 0) {
            throw new IllegalArgumentException("backoff min must be positive: " + minMillis + " ms");
        }
        if (maxMillis < minMillis) {
            throw new IllegalArgumentException("backoff max (" + maxMillis + " ms) must be at least min (" + minMillis + " ms)");
        }
        if (!(multiplier >= 1.0)) {
            throw new IllegalArgumentException("backoff multiplier must be at least 1: " + multiplier);
        }
        this.minMillis = minMillis;
        this.maxMillis = maxMillis;
        this.multiplier = multiplier;
    }

    /** The upper bound of the {@code attempt}-th delay. */
    public long ceilingMillis(int attempt) {
        return (long) Math.min(maxMillis, minMillis * Math.pow(multiplier, attempt + 1.0));
    }

    /** The delay before the {@code attempt}-th consecutive retry (0 for the first), in {@code [min, ceiling]}. */
    public long delayMillis(int attempt, RandomGenerator random) {
        long ceiling = ceilingMillis(attempt);
        return minMillis + (long) (random.nextDouble() * (ceiling - minMillis + 1));
    }

    public long minMillis() {
        return minMillis;
    }

    public long maxMillis() {
        return maxMillis;
    }

    public double multiplier() {
        return multiplier;
    }
}
