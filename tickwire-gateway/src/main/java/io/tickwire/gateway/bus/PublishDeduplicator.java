package io.tickwire.gateway.bus;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;

/**
 * Makes publishing idempotent by {@code msg_id} within a time window, bounded in entries: the oldest
 * entries go first when the bound is reached, so under a very high rate of {@code msg_id}s a retry may
 * come after its entry was dropped and publish again ({@code bus.dedup-max-entries} sizes the table).
 * Keys are per room, so one {@code msg_id} may name events in different rooms. Publishes of one room are
 * serialized on one of a fixed set of lock stripes, so rooms do not wait for each other.
 */
final class PublishDeduplicator {

    private static final int STRIPES = 64;

    private record Entry(String key, EventBus.PublishResult result, long atMillis) {}

    private final int maxEntries;
    private final long windowMillis;
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Entry> order = new ConcurrentLinkedQueue<>();
    private final Object[] stripes = new Object[STRIPES];

    PublishDeduplicator(int maxEntries, long windowMillis) {
        this.maxEntries = maxEntries;
        this.windowMillis = windowMillis;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Object();
        }
    }

    /** Runs {@code publish} unless {@code room}/{@code msgId} was published within the window. */
    EventBus.PublishResult publishOnce(
            String room, String msgId, long nowMillis, Supplier<EventBus.PublishResult> publish) {
        String key = room + '\n' + msgId;
        EventBus.PublishResult result;
        synchronized (stripes[Math.floorMod(room.hashCode(), STRIPES)]) {
            Entry seen = entries.get(key);
            if (seen != null && nowMillis - seen.atMillis() <= windowMillis) {
                EventBus.PublishResult r = seen.result();
                return new EventBus.PublishResult(r.room(), r.seq(), r.epoch(), true);
            }
            result = publish.get();
            Entry entry = new Entry(key, result, nowMillis);
            entries.put(key, entry);
            order.add(entry);
        }
        trim(nowMillis);
        return result;
    }

    void expire(long nowMillis) {
        trim(nowMillis);
    }

    /** Drops entries older than the window, and the oldest ones beyond the bound. */
    private void trim(long nowMillis) {
        Entry head;
        while ((head = order.peek()) != null
                && (nowMillis - head.atMillis() > windowMillis || entries.size() > maxEntries)) {
            if (order.remove(head)) {
                entries.remove(head.key(), head);
            }
        }
    }
}
