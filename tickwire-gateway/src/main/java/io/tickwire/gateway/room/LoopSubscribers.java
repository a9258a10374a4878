package io.tickwire.gateway.room;

import java.util.Arrays;

/**
 * A room's subscribers on one event loop, as an array replaced on change so that a delivery on the loop
 * can iterate it while a subscriber leaves. Changed and read only on its loop; {@link #count()} may be
 * read from any thread to decide whether the loop needs the event at all.
 */
public final class LoopSubscribers {

    private static final RoomSubscriber[] EMPTY = new RoomSubscriber[0];

    private volatile RoomSubscriber[] members = EMPTY;
    private volatile int count;
    private final java.util.concurrent.atomic.AtomicBoolean catchUpQueued = new java.util.concurrent.atomic.AtomicBoolean();
    // Max frequency (a conflate kind's min-interval), loop-confined: the newest event held back, and when the
    // subscribers here last got one.
    private EncodedEvent held;
    private boolean everDelivered;
    private long lastDeliveredNanos;

    void add(RoomSubscriber subscriber) {
        RoomSubscriber[] next = Arrays.copyOf(members, members.length + 1);
        next[members.length] = subscriber;
        members = next;
        count = next.length;
    }

    boolean remove(RoomSubscriber subscriber) {
        for (int i = 0; i < members.length; i++) {
            if (members[i] == subscriber) {
                RoomSubscriber[] next = new RoomSubscriber[members.length - 1];
                System.arraycopy(members, 0, next, 0, i);
                System.arraycopy(members, i + 1, next, i, members.length - i - 1);
                members = next;
                count = next.length;
                return true;
            }
        }
        return false;
    }

    /** The current members; the array is never changed in place. */
    public RoomSubscriber[] members() {
        return members;
    }

    public int count() {
        return count;
    }

    /**
     * Max frequency: decides whether {@code event}, arriving at {@code now}, goes to this loop's subscribers
     * at once. Returns -1 if it does (and counts it as delivered at {@code now}); otherwise holds it in place
     * of any event held before and returns the delay in nanoseconds after which the caller must run
     * {@link #takeHeld}, or 0 if such a run is already scheduled.
     */
    public long holdIfTooSoon(EncodedEvent event, long now, long minIntervalNanos) {
        if (held == null && (!everDelivered || now - lastDeliveredNanos >= minIntervalNanos)) {
            everDelivered = true;
            lastDeliveredNanos = now;
            return -1;
        }
        boolean scheduled = held != null;
        if (held != null) {
            held.release();
        }
        held = event.retain();
        return scheduled ? 0 : Math.max(1, lastDeliveredNanos + minIntervalNanos - now);
    }

    /** Whether an event is held back by the max frequency. */
    public boolean hasHeld() {
        return held != null;
    }

    /** The held event (the caller releases it), counted as delivered at {@code now}; null if none. */
    public EncodedEvent takeHeld(long now) {
        EncodedEvent e = held;
        held = null;
        if (e != null) {
            everDelivered = true;
            lastDeliveredNanos = now;
        }
        return e;
    }

    /** Releases a held event; only once the loop has stopped. */
    void discardHeld() {
        if (held != null) {
            held.release();
            held = null;
        }
    }

    /** True for the one caller that may queue a catch-up signal to this loop; see {@link #releaseCatchUp}. */
    public boolean claimCatchUp() {
        return catchUpQueued.compareAndSet(false, true);
    }

    /** The queued catch-up signal runs: the next overflow may queue another. */
    public void releaseCatchUp() {
        catchUpQueued.set(false);
    }
}
