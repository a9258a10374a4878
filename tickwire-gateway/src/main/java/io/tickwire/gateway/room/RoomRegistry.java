package io.tickwire.gateway.room;

import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.FastThreadLocal;
import io.tickwire.gateway.bus.BusEvent;
import io.tickwire.gateway.bus.EventBus;
import io.tickwire.gateway.config.GatewayConfig;
import io.tickwire.protocol.RoomName;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The rooms this node holds, bounded per kind ({@code max-rooms}); rooms come into being on first publish
 * or subscribe and are retired after their kind's idle time without subscribers or events.
 */
public final class RoomRegistry {

    /** How many recent events of a reliable room a node keeps encoded; older ones are read from the bus. */
    static final int RELIABLE_RING_EVENTS = 512;

    /**
     * Most rooms held from the feed at once: with their 16 KiB rings, 256 MiB of frames (more only where single events
     * are larger: a ring keeps at least its newest event).
     */
    static final int MAX_FEED_ROOMS = 16_384;

    private final Map<String, GatewayConfig.Kind> kinds;
    private final EventBus bus;
    private final int loopCount;
    private final LongSupplier clock;
    private final ConcurrentHashMap<String, Room> rooms = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> perKind = new ConcurrentHashMap<>();
    private final FastThreadLocal<FrameEncoder> encoders;
    /** Rooms held from the feed now (none unless the bus's history is remote). */
    private final AtomicInteger fromFeed = new AtomicInteger();
    private final boolean holdFromFeed;

    public RoomRegistry(Map<String, GatewayConfig.Kind> kinds, EventBus bus, int loopCount,
                        ByteBufAllocator alloc, LongSupplier clock) {
        this.kinds = Map.copyOf(kinds);
        this.bus = bus;
        this.loopCount = loopCount;
        this.clock = clock;
        this.holdFromFeed = bus.remoteHistory();
        for (String k : kinds.keySet()) {
            perKind.put(k, new AtomicInteger());
        }
        this.encoders = new FastThreadLocal<>() {
            @Override
            protected FrameEncoder initialValue() {
                return new FrameEncoder(alloc);
            }
        };
    }

    /** The policy of a valid room name's kind, or null when the kind is not configured. */
    public GatewayConfig.Kind kindOf(String room) {
        return kinds.get(RoomName.kindOf(room));
    }

    /** The encoder of the calling thread. */
    public FrameEncoder encoder() {
        return encoders.get();
    }

    /** The room if this node holds it, else null. */
    public Room get(String room) {
        return rooms.get(room);
    }

    /**
     * The room, created (and warming) if this node does not hold it yet.
     *
     * @throws RoomLimitException when a new room would exceed its kind's limit
     */
    public Room acquire(String name) throws RoomLimitException {
        GatewayConfig.Kind kind = kindOf(name);
        AtomicInteger count = perKind.get(kind.name());
        Room room = rooms.get(name);
        if (room == null) {
            if (count.incrementAndGet() > kind.maxRooms()) {
                count.decrementAndGet();
                throw limit(kind);
            }
            int ring = kind.delivery() == GatewayConfig.Delivery.CONFLATE ? 1 : Math.min(kind.historyEvents(), RELIABLE_RING_EVENTS);
            Room created = new Room(name, kind, ring, loopCount, clock.getAsLong());
            Room raced = rooms.putIfAbsent(name, created);
            if (raced == null) {
                warm(created);
                return created;
            }
            count.decrementAndGet();
            room = raced; // a subscriber's, or the feed's
        }
        takeFromFeed(room, kind, count);
        return room;
    }

    /**
     * A room held from the feed that a subscriber takes counts as a subscribed room from now on (its kind's
     * {@code max-rooms}, the full ring). Under the room's monitor, so that a sweep retiring it meanwhile settles the
     * counts once ({@link #forget}): a retired room is left alone (the caller's subscribe fails and acquires again).
     */
    private void takeFromFeed(Room room, GatewayConfig.Kind kind, AtomicInteger count) throws RoomLimitException {
        synchronized (room) {
            if (room.retired() || !room.heldFromFeed()) {
                return;
            }
            if (count.incrementAndGet() > kind.maxRooms()) {
                count.decrementAndGet();
                throw limit(kind); // stays held from the feed
            }
            room.leaveFeed();
            fromFeed.decrementAndGet();
        }
    }

    /** Calls {@code action} with every room of {@code kind} this node holds now. */
    public void forEachOfKind(String kind, java.util.function.Consumer<Room> action) {
        for (Room room : rooms.values()) {
            if (room.kind().name().equals(kind)) {
                action.accept(room);
            }
        }
    }

    private static RoomLimitException limit(GatewayConfig.Kind kind) {
        return new RoomLimitException("room kind " + kind.name() + " is at its limit of " + kind.maxRooms() + " rooms");
    }

    /**
     * When the bus's history is remote (JetStream), a room nobody here subscribes to is held from the live stream
     * all the same, with a small ring ({@link Room#FEED_RING_MAX_BYTES}): a client that moves here from a failed
     * node resumes from this node's memory instead of a JetStream request, and a storm of them does not become tens
     * of thousands of requests. At most {@link #MAX_FEED_ROOMS} rooms at once (beyond: the bus serves them); they do
     * not count against a kind's {@code max-rooms} until a subscriber takes one, and one that has received no
     * event for its kind's {@code idle-evict-seconds} retires. The ring covers everything after the event before {@code event}: the bus delivers every event in order
     * (a gap is signalled and handled as in {@link io.tickwire.gateway.fanout.Fanout#onGap}).
     *
     * @return the room to append {@code event} to, or null when rooms are not held from the feed or the budget is
     *     used up
     */
    public Room holdFromFeed(BusEvent event) {
        if (!holdFromFeed || fromFeed.get() >= MAX_FEED_ROOMS) { // budget used up: no write per event
            return null;
        }
        GatewayConfig.Kind kind = kindOf(event.room());
        if (kind == null) {
            return null;
        }
        if (fromFeed.incrementAndGet() > MAX_FEED_ROOMS) {
            fromFeed.decrementAndGet();
            return null;
        }
        int ring = kind.delivery() == GatewayConfig.Delivery.CONFLATE ? 1 : Math.min(kind.historyEvents(), RELIABLE_RING_EVENTS);
        Room created = new Room(event.room(), kind, ring, loopCount, clock.getAsLong());
        created.holdForFeed();
        Room raced = rooms.putIfAbsent(event.room(), created);
        if (raced != null) { // a subscriber created it meanwhile
            fromFeed.decrementAndGet();
            return raced;
        }
        created.warmed(event.epoch(), event.seq() - 1, null);
        return created;
    }

    /** Rooms held from the feed now. */
    public int heldFromFeed() {
        return fromFeed.get();
    }

    /** Retires rooms idle longer than their kind allows; returns how many. */
    public int sweep() {
        long now = clock.getAsLong();
        int retired = 0;
        for (Room room : rooms.values()) {
            if (room.retireIfIdle(now, room.kind().idleEvictSeconds() * 1000L)) {
                forget(room);
                retired++;
            }
        }
        return retired;
    }

    public int size() {
        return rooms.size();
    }

    /** Retires every room, releasing their buffers. */
    public void clear() {
        for (Room room : rooms.values()) {
            room.retire();
            room.discardHeld();
            forget(room);
        }
    }

    private void forget(Room room) {
        if (rooms.remove(room.name(), room)) {
            if (room.leaveFeed()) {
                fromFeed.decrementAndGet();
            } else {
                perKind.get(room.kind().name()).decrementAndGet();
            }
        }
    }

    private void warm(Room room) {
        // The room already receives live events (it is in the map): what the bus reports now is older than
        // or equal to them, so the ring covers everything after the reported position.
        bus.position(room.name()).thenCompose(pos -> {
            if (!room.conflate() || pos.latestSeq() == 0) {
                return CompletableFuture.completedFuture(new Warmth(pos, null));
            }
            return bus.latest(room.name()).thenApply(latest -> new Warmth(pos, latest));
        }).whenComplete((w, error) -> {
            if (error != null) {
                room.retire();
                forget(room);
                room.whenWarm().completeExceptionally(error);
                return;
            }
            EncodedEvent latest = null;
            try {
                latest = w.latest == null ? null : encoder().event(w.latest);
                room.warmed(w.position.epoch(), w.position.latestSeq(), latest);
            } catch (RuntimeException e) {
                room.retire();
                forget(room);
                room.whenWarm().completeExceptionally(e);
            } finally {
                if (latest != null) {
                    latest.release();
                }
            }
        });
    }

    private record Warmth(EventBus.RoomPosition position, BusEvent latest) {}
}
