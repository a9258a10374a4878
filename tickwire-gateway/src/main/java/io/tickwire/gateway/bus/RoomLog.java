package io.tickwire.gateway.bus;

import java.util.ArrayList;
import java.util.List;

/**
 * One room's history in the in-memory bus: a ring of the newest events, bounded by count and age, and the
 * room's sequence counter. All access is synchronized on the log.
 */
final class RoomLog {

    private final String room;
    private final String epoch;
    private final BusEvent[] ring;
    private final long maxAgeMillis;
    private int head; // index of the oldest stored event
    private int size;
    private long lastSeq;
    /** Highest seq no longer stored (0 if nothing was ever discarded): reads after a lower seq have a gap. */
    private long discardedUpTo;
    private long lastPublishMillis;

    /**
     * @param startAfter the log numbers its events from {@code startAfter + 1}; earlier numbers count as
     *     discarded, so reads from before the start report a gap
     */
    RoomLog(String room, String epoch, long startAfter, int maxEvents, long maxAgeMillis, long nowMillis) {
        this.room = room;
        this.lastSeq = startAfter;
        this.discardedUpTo = startAfter;
        this.epoch = epoch;
        this.ring = new BusEvent[maxEvents];
        this.maxAgeMillis = maxAgeMillis;
        this.lastPublishMillis = nowMillis;
    }

    synchronized EventBus.PublishResult append(byte[] data, long nowMillis, EventBus.EventSink sink) {
        BusEvent event = new BusEvent(room, ++lastSeq, epoch, nowMillis, data);
        if (size == ring.length) {
            discardedUpTo = ring[head].seq();
            ring[head] = null;
            head = (head + 1) % ring.length;
            size--;
        }
        ring[(head + size) % ring.length] = event;
        size++;
        lastPublishMillis = nowMillis;
        // Under the lock, so that the sink sees this room's events in seq order.
        sink.onEvent(event);
        return new EventBus.PublishResult(room, event.seq(), epoch, false);
    }

    synchronized EventBus.HistoryRead readAfter(long afterSeq, int max, long nowMillis) {
        expire(nowMillis);
        List<BusEvent> out = new ArrayList<>(Math.min(max, size));
        for (int i = 0; i < size && out.size() < max; i++) {
            BusEvent e = ring[(head + i) % ring.length];
            if (e.seq() > afterSeq) {
                out.add(e);
            }
        }
        return new EventBus.HistoryRead(epoch, out, afterSeq >= discardedUpTo, lastSeq);
    }

    synchronized EventBus.RoomPosition position() {
        return new EventBus.RoomPosition(epoch, lastSeq);
    }

    synchronized BusEvent latest() {
        return size == 0 ? null : ring[(head + size - 1) % ring.length];
    }

    synchronized long idleSince(long nowMillis) {
        return nowMillis - lastPublishMillis;
    }

    /** Age limit: the newest event is kept regardless, as the room's latest value. */
    private void expire(long nowMillis) {
        if (maxAgeMillis <= 0) {
            return;
        }
        while (size > 1 && nowMillis - ring[head].timestampMillis() > maxAgeMillis) {
            discardedUpTo = ring[head].seq();
            ring[head] = null;
            head = (head + 1) % ring.length;
            size--;
        }
    }
}
