package io.tickwire.gateway.bus;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * One room's history in the in-memory bus: the newest events, bounded by count and age (storage grows
 * with what is kept, not with the bound), and the room's sequence counter. All access is synchronized on
 * the log.
 */
final class RoomLog {

    private final String room;
    private final String epoch;
    private final int maxEvents;
    private final long maxAgeMillis;
    private final ArrayDeque<BusEvent> events = new ArrayDeque<>();
    private long lastSeq;
    /** Highest seq no longer stored (or never stored here): reads after a lower seq have a gap. */
    private long discardedUpTo;
    private long lastPublishMillis;
    private boolean evicted;

    /**
     * @param startAfter the log numbers its events from {@code startAfter + 1}; earlier numbers count as
     *     discarded, so reads from before the start report a gap
     */
    RoomLog(String room, String epoch, long startAfter, int maxEvents, long maxAgeMillis, long nowMillis) {
        this.room = room;
        this.epoch = epoch;
        this.lastSeq = startAfter;
        this.discardedUpTo = startAfter;
        this.maxEvents = maxEvents;
        this.maxAgeMillis = maxAgeMillis;
        this.lastPublishMillis = nowMillis;
    }

    /**
     * Stores an event and hands it to the sink, under the log's lock so that the sink sees this room's
     * events in seq order. Returns null, storing nothing, if the log was evicted meanwhile.
     */
    synchronized EventBus.PublishResult append(byte[] data, long nowMillis, EventBus.EventSink sink) {
        if (evicted) {
            return null;
        }
        BusEvent event = new BusEvent(room, ++lastSeq, epoch, nowMillis, data);
        if (events.size() == maxEvents) {
            discardedUpTo = events.removeFirst().seq();
        }
        events.addLast(event);
        lastPublishMillis = nowMillis;
        sink.onEvent(event);
        return new EventBus.PublishResult(room, event.seq(), epoch, false);
    }

    synchronized EventBus.HistoryRead readAfter(long afterSeq, int max, long nowMillis) {
        expire(nowMillis);
        List<BusEvent> out = new ArrayList<>(Math.min(max, events.size()));
        long storedAfter = 0;
        for (Iterator<BusEvent> it = events.descendingIterator(); it.hasNext(); ) {
            if (it.next().seq() <= afterSeq) {
                break;
            }
            storedAfter++;
        }
        for (Iterator<BusEvent> it = events.iterator(); it.hasNext() && out.size() < max; ) {
            BusEvent e = it.next();
            if (e.seq() > afterSeq) {
                out.add(e);
            }
        }
        return new EventBus.HistoryRead(epoch, out, afterSeq >= discardedUpTo, lastSeq, storedAfter);
    }

    synchronized EventBus.RoomPosition position() {
        return new EventBus.RoomPosition(epoch, lastSeq);
    }

    synchronized BusEvent latest() {
        return events.peekLast();
    }

    /**
     * Marks the log evicted if nothing was published for {@code idleMillis}; an evicted log takes no more
     * events. Returns the log's last seq if evicted, else -1.
     */
    synchronized long evictIfIdle(long nowMillis, long idleMillis) {
        if (evicted || nowMillis - lastPublishMillis <= idleMillis) {
            return -1;
        }
        evicted = true;
        return lastSeq;
    }

    /** Age limit: the newest event is kept regardless, as the room's latest value. */
    private void expire(long nowMillis) {
        if (maxAgeMillis <= 0) {
            return;
        }
        while (events.size() > 1 && nowMillis - events.peekFirst().timestampMillis() > maxAgeMillis) {
            discardedUpTo = events.removeFirst().seq();
        }
    }
}
