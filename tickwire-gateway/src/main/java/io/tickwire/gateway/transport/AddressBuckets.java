package io.tickwire.gateway.transport;

import java.util.concurrent.ThreadLocalRandom;

/**
 * One {@link TokenBucket} per client address, in a table of fixed size: two arrays allocated once, no
 * allocation per take. The table is set-associative: an address hashes (with a per-process random seed,
 * so a client cannot aim at a set) to a set of {@link #WAYS} slots, each guarded by one of a fixed number
 * of locks. An entry whose bucket has filled up again says nothing a new entry would not, so it is
 * overwritten freely; only when all the slots of a set are busy is the one closest to full forgotten,
 * which can only give that address its burst back early. Thread-safe: takes arrive from every event loop.
 */
final class AddressBuckets {

    /** Addresses tracked at once by default: 1 MiB of table. */
    static final int DEFAULT_CAPACITY = 65_536;
    static final int WAYS = 8;
    private static final int LOCKS = 256;

    private final long intervalNanos;
    private final long capacityNanos;
    private final long seed = ThreadLocalRandom.current().nextLong();
    private final int setMask;
    private final long[] keys;
    private final long[] fullAt;
    private final Object[] locks = new Object[LOCKS];

    /** {@code capacity}: how many addresses are tracked at once, a power of two of at least {@link #WAYS}. */
    AddressBuckets(int perSecond, int burst, int capacity) {
        if (capacity < WAYS || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two of at least " + WAYS + ", got " + capacity);
        }
        if (perSecond < 1 || burst < 1) {
            throw new IllegalArgumentException("perSecond and burst must be at least 1, got " + perSecond + ", " + burst);
        }
        this.intervalNanos = TokenBucket.intervalNanos(perSecond);
        this.capacityNanos = intervalNanos * burst;
        this.setMask = capacity / WAYS - 1;
        this.keys = new long[capacity];
        this.fullAt = new long[capacity]; // 0: a full bucket for any now >= 0
        for (int i = 0; i < LOCKS; i++) {
            locks[i] = new Object();
        }
    }

    /**
     * Takes a token for the address {@code key} at {@code now} (nanoseconds, at least 0, never decreasing):
     * 0 if there was one, else the nanoseconds until there is one.
     */
    long take(long key, long now) {
        long hashed = mix(key ^ seed);
        int set = (int) (hashed >>> 32) & setMask;
        int first = set * WAYS;
        synchronized (locks[set & (LOCKS - 1)]) {
            int slot = -1;
            int free = -1;
            int fullest = first;
            for (int i = first; i < first + WAYS; i++) {
                boolean busy = fullAt[i] > now;
                if (busy && keys[i] == hashed) {
                    slot = i;
                    break;
                }
                if (!busy && free < 0) {
                    free = i;
                }
                if (fullAt[i] < fullAt[fullest]) {
                    fullest = i;
                }
            }
            if (slot < 0) {
                // metrics: an eviction of a busy entry (free < 0) means more busy addresses than the table holds
                slot = free >= 0 ? free : fullest;
                keys[slot] = hashed;
                fullAt[slot] = 0;
            }
            long wait = TokenBucket.waitNanos(fullAt[slot], now, intervalNanos, capacityNanos);
            if (wait == 0) {
                fullAt[slot] = TokenBucket.afterTake(fullAt[slot], now, intervalNanos);
            }
            return wait;
        }
    }

    /** Addresses whose bucket is not full at {@code now}: the entries that still mean something. */
    int busy(long now) {
        int n = 0;
        for (int i = 0; i < fullAt.length; i++) {
            synchronized (locks[(i / WAYS) & (LOCKS - 1)]) {
                if (fullAt[i] > now) {
                    n++;
                }
            }
        }
        return n;
    }

    /** The finaliser of MurmurHash3: spreads every input bit over the whole word. */
    private static long mix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb93fe2ee6dcaL;
        k ^= k >>> 33;
        return k;
    }
}
