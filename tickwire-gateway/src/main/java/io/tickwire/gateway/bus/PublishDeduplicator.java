package io.tickwire.gateway.bus;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Makes publishing idempotent by {@code msg_id} within a time window, bounded in entries: the oldest
 * entries go first when the bound is reached, so a retry much later than the window may publish again.
 * Keys are per room, so one {@code msg_id} may name events in different rooms.
 */
final class PublishDeduplicator {

    private record Entry(EventBus.PublishResult result, long atMillis) {}

    private final int maxEntries;
    private final long windowMillis;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();

    PublishDeduplicator(int maxEntries, long windowMillis) {
        this.maxEntries = maxEntries;
        this.windowMillis = windowMillis;
    }

    /** Runs {@code publish} unless {@code room}/{@code msgId} was published within the window. */
    synchronized EventBus.PublishResult publishOnce(
            String room, String msgId, long nowMillis, Supplier<EventBus.PublishResult> publish) {
        String key = room + '\n' + msgId;
        Entry seen = entries.get(key);
        if (seen != null && nowMillis - seen.atMillis() <= windowMillis) {
            EventBus.PublishResult r = seen.result();
            return new EventBus.PublishResult(r.room(), r.seq(), r.epoch(), true);
        }
        EventBus.PublishResult result = publish.get();
        entries.remove(key);
        entries.put(key, new Entry(result, nowMillis));
        if (entries.size() > maxEntries) {
            Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
            it.next();
            it.remove();
        }
        return result;
    }

    synchronized void expire(long nowMillis) {
        Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
        while (it.hasNext() && nowMillis - it.next().getValue().atMillis() > windowMillis) {
            it.remove();
        }
    }
}
