package io.tickwire.gateway.transport;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A token bucket shared by every event loop: {@code perSecond} tokens a second, at most {@code burst}
 * at once. Kept in its GCRA form, so its whole state is one number, the time at which the bucket will be
 * full again ("theoretical arrival time"), and a take is one compare-and-set: no lock, no allocation.
 * Times are nanoseconds from any fixed origin, never decreasing (callers pass {@link System#nanoTime()}
 * minus a start time, tests pass their own clock).
 *
 * <p>The arithmetic is also offered as static methods for tables of buckets kept elsewhere
 * ({@link AddressBuckets}).
 */
final class TokenBucket {

    private final long intervalNanos;
    private final long capacityNanos;
    private final AtomicLong fullAt = new AtomicLong(Long.MIN_VALUE);

    TokenBucket(int perSecond, int burst) {
        if (perSecond < 1) {
            throw new IllegalArgumentException("perSecond must be at least 1, got " + perSecond);
        }
        if (burst < 1) {
            throw new IllegalArgumentException("burst must be at least 1, got " + burst);
        }
        this.intervalNanos = intervalNanos(perSecond);
        this.capacityNanos = intervalNanos * burst;
    }

    /** Takes a token at {@code now}: returns 0 if there was one, else the nanoseconds until there is one. */
    long take(long now) {
        while (true) {
            long current = fullAt.get();
            long wait = waitNanos(current, now, intervalNanos, capacityNanos);
            if (wait > 0) {
                return wait;
            }
            if (fullAt.compareAndSet(current, afterTake(current, now, intervalNanos))) {
                return 0;
            }
        }
    }

    /** The time one token takes to come back. */
    static long intervalNanos(int perSecond) {
        return Math.max(1, 1_000_000_000L / perSecond);
    }

    /**
     * For a bucket that is full again at {@code fullAt}: 0 if a token can be taken at {@code now}, else how
     * long until one can. {@code capacityNanos} is the burst times the interval.
     */
    static long waitNanos(long fullAt, long now, long intervalNanos, long capacityNanos) {
        long start = fullAt > now ? fullAt : now;
        long over = start + intervalNanos - now - capacityNanos;
        return over > 0 ? over : 0;
    }

    /** The bucket's new {@code fullAt} after a token was taken at {@code now}. */
    static long afterTake(long fullAt, long now, long intervalNanos) {
        return (fullAt > now ? fullAt : now) + intervalNanos;
    }

    /** {@code nanos} as whole seconds for {@code Retry-After}, rounded up, at least 1. */
    static int retryAfterSeconds(long nanos) {
        long seconds = (nanos + 999_999_999L) / 1_000_000_000L;
        return (int) Math.max(1, Math.min(seconds, 3600));
    }
}
