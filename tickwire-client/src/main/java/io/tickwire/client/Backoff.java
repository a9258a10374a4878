package io.tickwire.client;

import java.time.Duration;
import java.util.Random;

/**
 * Exponential backoff with full jitter: the n-th consecutive delay (n from 0) is drawn uniformly from
 * {@code [min, ceiling(n)]} where {@code ceiling(n) = min(max, min * multiplier^(n+1))}. Every delay lies in
 * {@code [min, max]}; the spread keeps many clients that lost the same gateway from returning in step.
 */
final class Backoff {

    private final long minMillis;
    private final long maxMillis;
    private final double multiplier;
    private final Random random;

    Backoff(Duration min, Duration max, double multiplier, Random random) {
        if (min.isNegative() || min.isZero()) {
            throw new IllegalArgumentException("backoff min must be positive: " + min);
        }
        if (max.compareTo(min) < 0) {
            throw new IllegalArgumentException("backoff max (" + max + ") must be at least min (" + min + ")");
        }
        if (!(multiplier >= 1.0)) {
            throw new IllegalArgumentException("backoff multiplier must be at least 1: " + multiplier);
        }
        this.minMillis = min.toMillis();
        this.maxMillis = max.toMillis();
        this.multiplier = multiplier;
        this.random = random;
    }

    /** The upper bound of the {@code attempt}-th delay. */
    long ceilingMillis(int attempt) {
        double ceiling = minMillis * Math.pow(multiplier, attempt + 1.0);
        return (long) Math.min(maxMillis, ceiling);
    }

    /** The delay before the {@code attempt}-th consecutive retry (0 for the first). */
    long delayMillis(int attempt) {
        long ceiling = ceilingMillis(attempt);
        return minMillis + (long) (random.nextDouble() * (ceiling - minMillis + 1));
    }

    long minMillis() {
        return minMillis;
    }

    long maxMillis() {
        return maxMillis;
    }
}
