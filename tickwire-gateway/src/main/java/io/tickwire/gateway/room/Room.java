package io.tickwire.gateway.room;

import io.tickwire.gateway.config.GatewayConfig;
import java.util.concurrent.CompletableFuture;

/**
 * A room as this node holds it: its epoch and latest {@code seq}, a ring of its most recent encoded events
 * (the last one is the snapshot of a conflate room), and its subscribers grouped by event loop.
 *
 * <p>The bus's thread appends; event loops read. Everything is guarded by the room's monitor, held only
 * for a few field updates. The ring covers every event after {@link #coveredAfter}: a subscriber whose
 * position is older must read the bus's history instead.
 */
public final class Room {

    /** Most bytes of encoded frames one room's ring keeps (at least its newest event). */
    static final long RING_MAX_BYTES = 1024 * 1024;

    /** Most bytes of frames read from the bus's history that one room keeps for the next reader of them. */
    static final long HISTORY_FRAMES_MAX_BYTES = 1024 * 1024;

    /**
     * Most bytes of encoded frames the ring of a room held from the feed keeps (no subscriber here yet): enough for
     * the events a client missed while it moved from a failed node, a sixty-fourth of a subscribed room's ring.
     */
    static final long FEED_RING_MAX_BYTES = 16 * 1024;

    /** Returned by {@link #after} when the ring no longer covers the position asked for. */
    public static final EncodedEvent NOT_COVERED = new EncodedEvent("", -1, io.netty.buffer.Unpooled.EMPTY_BUFFER, 0, 0);

    private final String name;
    private final GatewayConfig.Kind kind;
    private final int ringCapacity;
    private EncodedEvent[] ring; // grows up to ringCapacity: a quiet room costs a few slots, not the bound
    private final LoopSubscribers[] loops;
    private final CompletableFuture<Room> warm = new CompletableFuture<>();
    private int head;
    private int size;
    private long ringBytes;
    private final java.util.LinkedHashMap<Long, EncodedEvent> historyFrames = new java.util.LinkedHashMap<>();
    private long historyFramesBytes;
    private String epoch;
    private long lastSeq;
    private long coveredAfter = Long.MAX_VALUE; // nothing is covered until warmed
    private long evictedUpTo; // highest seq pushed out of the ring
    private int subscribers;
    private long lastActivityMillis;
    private boolean retired;
    private final long minIntervalNanos;
    /** Held from the bus's live stream without a subscriber here (see {@link RoomRegistry#holdFromFeed}). */
    private boolean fromFeed;
    private long ringMaxBytes = RING_MAX_BYTES;

    Room(String name, GatewayConfig.Kind kind, int ringCapacity, int loopCount, long nowMillis) {
        this.name = name;
        this.kind = kind;
        this.ringCapacity = ringCapacity;
        this.ring = new EncodedEvent[Math.min(ringCapacity, 4)];
        this.loops = new LoopSubscribers[loopCount];
        for (int i = 0; i < loopCount; i++) {
            loops[i] = new LoopSubscribers();
        }
        this.lastActivityMillis = nowMillis;
        this.minIntervalNanos = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(kind.minIntervalMs());
    }

    public String name() {
        return name;
    }

    public GatewayConfig.Kind kind() {
        return kind;
    }

    public boolean conflate() {
        return kind.delivery() == GatewayConfig.Delivery.CONFLATE;
    }

    /** The kind's shortest time between two updates to one subscriber, in nanoseconds; 0 = none. */
    public long minIntervalNanos() {
        return minIntervalNanos;
    }

    /** Completes once the room knows its epoch and position from the bus. */
    public CompletableFuture<Room> whenWarm() {
        return warm;
    }

    /** The subscribers on event loop {@code loopIndex}; touched only on that loop. */
    public LoopSubscribers subscribersOn(int loopIndex) {
        return loops[loopIndex];
    }

    /**
     * Completes warming with the bus's view taken after this room started receiving live events:
     * everything after {@code latestSeq} is therefore in the ring.
     */
    synchronized void warmed(String busEpoch, long latestSeq, EncodedEvent latestOrNull) {
        if (epoch == null || epoch.equals(busEpoch)) {
            epoch = busEpoch;
            if (latestOrNull != null && size == 0 && !retired) {
                push(latestOrNull.retain());
            }
            // Every event after latestSeq reached the ring, but some may have left it again.
            coveredAfter = Math.max(latestSeq, evictedUpTo);
            lastSeq = Math.max(lastSeq, latestSeq);
        }
        warm.complete(this);
    }

    /**
     * Appends a live event (taking over the caller's reference). Returns false, keeping nothing, when the
     * room was retired meanwhile: the caller then appends to the room that replaced it.
     */
    public synchronized boolean append(EncodedEvent e, long nowMillis) {
        if (retired) {
            return false;
        }
        if (fromFeed) {
            lastActivityMillis = nowMillis; // a room held from the feed lives while events come
        }
        if (epoch != null && !epoch.equals(e.epoch())) {
            // The bus restarted this room's history: what we hold counts in another epoch.
            clearRing();
            coveredAfter = 0;
            evictedUpTo = 0;
            lastSeq = 0;
        }
        epoch = e.epoch();
        push(e);
        lastSeq = Math.max(lastSeq, e.seq());
        return true;
    }

    /**
     * An event this node could not hold (encoding failed): the ring stops claiming to cover anything up to
     * it, so subscribers read it from the bus.
     */
    public synchronized void lost(String eventEpoch, long seq) {
        if (epoch == null || epoch.equals(eventEpoch)) {
            evictedUpTo = Math.max(evictedUpTo, seq);
            coveredAfter = coveredAfter == Long.MAX_VALUE ? coveredAfter : Math.max(coveredAfter, seq);
            lastSeq = Math.max(lastSeq, seq);
        }
    }

    /** Epoch, latest seq and (retained, may be null) latest event, read together. */
    public synchronized Position position() {
        EncodedEvent latest = size == 0 ? null : ring[(head + size - 1) % ring.length].retain();
        return new Position(epoch, lastSeq, latest);
    }

    /**
     * The first event after {@code seq} (retained), null when there is none yet, or {@link #NOT_COVERED}
     * when the ring cannot tell (the events after {@code seq} are older than it holds).
     */
    public synchronized EncodedEvent after(long seq) {
        if (seq < coveredAfter) {
            return NOT_COVERED;
        }
        int first = firstAfter(seq);
        return first == size ? null : ring[(head + first) % ring.length].retain();
    }

    /** How many events the ring holds after {@code seq}, or -1 when the ring does not cover {@code seq}. */
    public synchronized int countAfter(long seq) {
        return seq < coveredAfter ? -1 : size - firstAfter(seq);
    }

    /** The ring position (0 = oldest) of the first event whose seq is above {@code seq}; {@code size} if none. */
    private int firstAfter(long seq) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ring[(head + mid) % ring.length].seq() > seq) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /**
     * The frame (retained) of an event read from the bus's history, older than the ring: encoded once and kept
     * (at most {@link #HISTORY_FRAMES_MAX_BYTES}, the oldest dropped first) so that subscribers catching up
     * through the same stretch of history (all of a loop's subscribers once it fell behind) share one frame
     * instead of each encoding its own.
     */
    public synchronized EncodedEvent historyFrame(io.tickwire.gateway.bus.BusEvent e, FrameEncoder encoder) {
        EncodedEvent kept = historyFrames.get(e.seq());
        if (kept != null && kept.epoch().equals(e.epoch())) {
            return kept.retain();
        }
        EncodedEvent encoded = encoder.event(e);
        if (retired || !e.epoch().equals(epoch)) {
            return encoded; // nothing to share it with
        }
        if (kept != null) {
            forgetHistoryFrame(e.seq(), kept);
        }
        historyFrames.put(e.seq(), encoded.retain());
        historyFramesBytes += encoded.frameBytes();
        var oldest = historyFrames.entrySet().iterator();
        while (historyFramesBytes > HISTORY_FRAMES_MAX_BYTES && oldest.hasNext()) {
            EncodedEvent old = oldest.next().getValue();
            if (old == encoded) {
                break;
            }
            oldest.remove();
            historyFramesBytes -= old.frameBytes();
            old.release();
        }
        return encoded;
    }

    private void forgetHistoryFrame(long seq, EncodedEvent frame) {
        historyFrames.remove(seq);
        historyFramesBytes -= frame.frameBytes();
        frame.release();
    }

    /** Bytes of history frames kept (for tests). */
    synchronized long historyFramesBytes() {
        return historyFramesBytes;
    }

    /** Registers a subscriber; false if the room was retired (look it up again). */
    public synchronized boolean addSubscriber(int loopIndex, RoomSubscriber subscriber) {
        if (retired) {
            return false;
        }
        subscribers++;
        loops[loopIndex].add(subscriber);
        return true;
    }

    public synchronized void removeSubscriber(int loopIndex, RoomSubscriber subscriber, long nowMillis) {
        if (loops[loopIndex].remove(subscriber)) {
            subscribers--;
            lastActivityMillis = nowMillis;
        }
    }

    public synchronized int subscriberCount() {
        return subscribers;
    }

    /**
     * Retires the room if nobody has held it for {@code idleMillis} (events do not keep a subscribed room alive:
     * a node holds rooms for its subscribers, the bus holds their history; a room held from the feed lives while
     * events come).
     */
    synchronized boolean retireIfIdle(long nowMillis, long idleMillis) {
        if (retired || subscribers > 0 || nowMillis - lastActivityMillis < idleMillis) {
            return false;
        }
        retire();
        return true;
    }

    synchronized boolean retired() {
        return retired;
    }

    synchronized boolean heldFromFeed() {
        return fromFeed;
    }

    /** Marks a new room as held from the feed: a small ring until it is {@link #leaveFeed() taken by a subscriber}. */
    synchronized void holdForFeed() {
        fromFeed = true;
        ringMaxBytes = FEED_RING_MAX_BYTES;
    }

    /**
     * The room stops being held from the feed (a subscriber took it, or it retires); its ring may grow to the full
     * size. Returns true if it was held from the feed, once.
     */
    synchronized boolean leaveFeed() {
        if (!fromFeed) {
            return false;
        }
        fromFeed = false;
        ringMaxBytes = RING_MAX_BYTES;
        return true;
    }

    synchronized void retire() {
        retired = true;
        clearRing();
    }

    /** Releases events held back by the max frequency; only once the event loops have stopped. */
    synchronized void discardHeld() {
        for (LoopSubscribers l : loops) {
            l.discardHeld();
        }
    }

    private void push(EncodedEvent e) {
        if (size == ring.length && ring.length < ringCapacity) {
            EncodedEvent[] grown = new EncodedEvent[Math.min(ringCapacity, ring.length * 2)];
            for (int i = 0; i < size; i++) {
                grown[i] = ring[(head + i) % ring.length];
            }
            ring = grown;
            head = 0;
        }
        while (size == ring.length || (size > 0 && ringBytes + e.frameBytes() > ringMaxBytes)) {
            EncodedEvent evicted = ring[head];
            ring[head] = null;
            head = (head + 1) % ring.length;
            size--;
            evictedUpTo = evicted.seq();
            if (coveredAfter != Long.MAX_VALUE) {
                coveredAfter = Math.max(coveredAfter, evictedUpTo);
            }
            ringBytes -= evicted.frameBytes();
            evicted.release();
        }
        ringBytes += e.frameBytes();
        ring[(head + size) % ring.length] = e;
        size++;
    }

    private void clearRing() {
        for (EncodedEvent frame : historyFrames.values()) {
            frame.release();
        }
        historyFrames.clear();
        historyFramesBytes = 0;
        ringBytes = 0;
        for (int i = 0; i < size; i++) {
            int idx = (head + i) % ring.length;
            ring[idx].release();
            ring[idx] = null;
        }
        head = 0;
        size = 0;
    }

    /** A room's position as read at one instant. {@code latest} is retained; the reader releases it. */
    public record Position(String epoch, long seq, EncodedEvent latest) {}
}
