package io.tickwire.gateway.metrics;

/**
 * The per-event, per-subscriber counts of one event loop, kept in plain fields written only by that
 * loop: counting costs an add, never a shared cache line or an atomic. A scrape sums the loops' values,
 * reading each without stopping its loop (a value may be a few increments stale, never torn: the fields are
 * {@code long} on a 64-bit JVM and only grow).
 */
public final class LoopMetrics {

    long frames;
    long bytes;
    long events;
    long conflated;
    long catchUps;

    /** One frame of {@code size} bytes written to a connection (any frame: events, replies, control). */
    public void frameWritten(int size) {
        frames++;
        bytes += size;
    }

    /** One event or snapshot frame written to a subscriber. */
    public void eventDelivered() {
        events++;
    }

    /** A conflate subscriber's unsent state replaced by a newer one (the older one is never sent). */
    public void conflated() {
        conflated++;
    }

    /** A live subscriber that could not take a live event and went to its catch-up cursor. */
    public void catchUpStarted() {
        catchUps++;
    }
}
