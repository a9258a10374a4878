package io.tickwire.gateway.bus;

import io.tickwire.gateway.config.GatewayConfig;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The event bus of a single node: every room numbered 1, 2, 3… under a random per-process epoch, with
 * bounded history (per kind: a count and an age) and the latest value kept in memory.
 *
 * <p>A room's log is evicted after its kind's idle time (and history age) without publishes. If the room
 * is published to again, its new log counts on from above every {@code seq} any evicted log ever reached,
 * under the same epoch, and reports everything before its start as discarded: an old {@code seq} is never
 * taken for a new event, and a resume from before the eviction gets a gap, hence {@code reset}. Only one
 * number is kept for that, whatever the number of evicted rooms.
 * Publishing and delivery to the sink happen under the room's lock, which is what keeps one room's events
 * in {@code seq} order at the sink whatever the number of publishing threads.
 */
public final class InMemoryEventBus implements EventBus {

    private final Map<String, GatewayConfig.Kind> kinds;
    private final LongSupplier clock;
    private final String processEpoch;
    /** Highest seq of any evicted log; new logs start above it. */
    private final AtomicLong evictedHighSeq = new AtomicLong();
    private final ConcurrentHashMap<String, RoomLog> logs = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> logsPerKind = new ConcurrentHashMap<>();
    private final PublishDeduplicator deduplicator;
    private final ScheduledExecutorService sweeper;
    private volatile EventSink sink = event -> {};
    private volatile boolean closed;

    public InMemoryEventBus(Map<String, GatewayConfig.Kind> kinds, GatewayConfig.Bus config) {
        this(kinds, config, System::currentTimeMillis);
    }

    InMemoryEventBus(Map<String, GatewayConfig.Kind> kinds, GatewayConfig.Bus config, LongSupplier clock) {
        this.kinds = Map.copyOf(Objects.requireNonNull(kinds, "kinds"));
        this.clock = clock;
        byte[] random = new byte[4];
        new SecureRandom().nextBytes(random);
        this.processEpoch = "m-" + HexFormat.of().formatHex(random);
        this.deduplicator = new PublishDeduplicator(config.dedupMaxEntries(), config.dedupWindowSeconds() * 1000L);
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tickwire-bus-sweeper");
            t.setDaemon(true);
            return t;
        });
        sweeper.scheduleWithFixedDelay(this::sweep, 10, 10, TimeUnit.SECONDS);
    }

    /** The epoch every room's first log counts under. */
    public String processEpoch() {
        return processEpoch;
    }

    @Override
    public CompletionStage<PublishResult> publish(String room, byte[] data, String msgId) {
        if (closed) {
            return CompletableFuture.failedFuture(new BusUnavailableException("event bus is closed"));
        }
        GatewayConfig.Kind kind = kindOf(room);
        if (kind == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("no such room kind: " + room));
        }
        try {
            if (msgId == null) {
                return CompletableFuture.completedFuture(append(room, kind, data));
            }
            return CompletableFuture.completedFuture(
                    deduplicator.publishOnce(room, msgId, clock.getAsLong(), () -> append(room, kind, data)));
        } catch (RoomLimitExceededException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public void start(EventSink sink) {
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    /**
     * A room without a log (never published to, or evicted) is at the position a new log would count on
     * from: above every seq an evicted log reached. Asking creates nothing, so subscribers cannot use up
     * the kind's {@code max-rooms}.
     */
    @Override
    public CompletionStage<RoomPosition> position(String room) {
        RoomLog log = logs.get(room);
        return CompletableFuture.completedFuture(
                log == null ? new RoomPosition(processEpoch, evictedHighSeq.get()) : log.position());
    }

    @Override
    public CompletionStage<HistoryRead> readAfter(String room, long afterSeq, int max) {
        RoomLog log = logs.get(room);
        if (log == null) {
            // as a new log would answer: everything up to the evicted high-water mark is gone
            long start = evictedHighSeq.get();
            return CompletableFuture.completedFuture(
                    new HistoryRead(processEpoch, java.util.List.of(), afterSeq >= start, start, 0));
        }
        return CompletableFuture.completedFuture(log.readAfter(afterSeq, max, clock.getAsLong()));
    }

    @Override
    public CompletionStage<BusEvent> latest(String room) {
        RoomLog log = logs.get(room);
        return CompletableFuture.completedFuture(log == null ? null : log.latest());
    }

    @Override
    public void close() {
        closed = true;
        sweeper.shutdownNow();
    }

    /** Drops the logs of rooms idle for longer than their kind allows. */
    void sweep() {
        long now = clock.getAsLong();
        for (String room : logs.keySet()) {
            GatewayConfig.Kind kind = kindOf(room);
            long idleMillis = Math.max(kind.idleEvictSeconds(), kind.historySeconds()) * 1000L;
            logs.computeIfPresent(room, (r, log) -> {
                long lastSeq = log.evictIfIdle(now, idleMillis);
                if (lastSeq < 0) {
                    return log;
                }
                evictedHighSeq.accumulateAndGet(lastSeq, Math::max);
                logsPerKind.get(kind.name()).decrementAndGet();
                return null;
            });
        }
        deduplicator.expire(now);
    }

    private PublishResult append(String room, GatewayConfig.Kind kind, byte[] data) {
        while (true) {
            PublishResult r = logFor(room, kind).append(data, clock.getAsLong(), sink);
            if (r != null) {
                return r;
            }
            // the sweeper evicted the log between lookup and append: its successor counts on above it
        }
    }

    /**
     * The room's log, created if needed.
     *
     * @throws RoomLimitExceededException when its kind already has {@code max-rooms} logs
     */
    private RoomLog logFor(String room, GatewayConfig.Kind kind) {
        RoomLog log = logs.get(room);
        if (log != null) {
            return log;
        }
        return logs.computeIfAbsent(room, r -> {
            AtomicInteger count = logsPerKind.computeIfAbsent(kind.name(), k -> new AtomicInteger());
            if (count.incrementAndGet() > kind.maxRooms()) {
                count.decrementAndGet();
                throw new RoomLimitExceededException(
                        "room kind " + kind.name() + " is at its limit of " + kind.maxRooms() + " rooms");
            }
            return new RoomLog(r, processEpoch, evictedHighSeq.get(), kind.historyEvents(),
                    kind.historySeconds() * 1000L, clock.getAsLong());
        });
    }

    private GatewayConfig.Kind kindOf(String room) {
        int colon = room.indexOf(':');
        return colon <= 0 ? null : kinds.get(room.substring(0, colon));
    }
}
