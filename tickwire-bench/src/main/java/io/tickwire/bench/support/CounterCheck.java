package io.tickwire.bench.support;

/**
 * Checks one (connection, room) stream by the publisher's counter {@code c} (1, 2, 3, ... per room), never
 * by {@code seq}, which need not be contiguous. Touched by one event loop only.
 *
 * <p>A counter equal to the last one is a duplicate; one below it is out of order (a late arrival, or a
 * duplicate of an older event: without remembering every counter the two cannot be told apart, and both
 * are faults in a reliable room). A jump forward is a skip: loss in a reliable room, conflation in a
 * conflate room.
 */
public final class CounterCheck {

    private volatile long last; // read by the run thread while draining
    private long received;
    private long duplicated;
    private long reordered;
    private long skipped;

    public void accept(long c) {
        received++;
        if (c == last + 1) {
            last = c;
        } else if (c > last + 1) {
            skipped += c - last - 1;
            last = c;
        } else if (c == last) {
            duplicated++;
        } else {
            reordered++;
        }
    }

    /** Events of the {@code published} that never arrived (for a reliable room). */
    public long missing(long published) {
        return Math.max(0, published - (received - duplicated));
    }

    public long last() {
        return last;
    }

    public long received() {
        return received;
    }

    public long duplicated() {
        return duplicated;
    }

    public long reordered() {
        return reordered;
    }

    public long skipped() {
        return skipped;
    }
}
