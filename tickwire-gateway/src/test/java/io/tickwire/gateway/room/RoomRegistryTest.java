package io.tickwire.gateway.room;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.PooledByteBufAllocator;
import io.tickwire.gateway.bus.BusEvent;
import io.tickwire.gateway.bus.EventBus;
import io.tickwire.gateway.bus.InMemoryEventBus;
import io.tickwire.gateway.config.GatewayConfig;
import io.tickwire.gateway.config.GatewayConfig.Access;
import io.tickwire.gateway.config.GatewayConfig.Delivery;
import io.tickwire.gateway.config.GatewayConfig.Kind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The rooms of a node: creation, the per-kind bound, retirement by sweep, warming from the real bus. */
class RoomRegistryTest {

    static final Kind PRICE = new Kind("price", Access.AUTHENTICATED, Delivery.CONFLATE, 1, 0, 3, 300);
    static final Kind ACCOUNT = new Kind("account", Access.GRANTED, Delivery.RELIABLE, 10_000, 0, 2, 60);
    static final Kind TRADES = new Kind("trades", Access.AUTHENTICATED, Delivery.RELIABLE, 100, 60, 1000, 300);
    static final Map<String, Kind> KINDS = Map.of("price", PRICE, "account", ACCOUNT, "trades", TRADES);

    final AtomicLong now = new AtomicLong(1_764_268_800_000L);
    InMemoryEventBus bus;
    RoomRegistry registry;

    @BeforeEach
    void setUp() {
        bus = new InMemoryEventBus(KINDS, new GatewayConfig.Bus("memory", 120, 1000));
        registry = new RoomRegistry(KINDS, bus, 1, PooledByteBufAllocator.DEFAULT, now::get);
    }

    @AfterEach
    void tearDown() {
        registry.clear();
        bus.close();
    }

    private long publish(String room, String json) {
        return bus.publish(room, json.getBytes(StandardCharsets.UTF_8), null).toCompletableFuture().join().seq();
    }

    private static long positionSeq(Room room) {
        Room.Position p = room.position();
        if (p.latest() != null) {
            p.latest().release();
        }
        return p.seq();
    }

    // ---- lookup and creation ----

    @Test
    void acquireCreatesOnceAndGetFindsIt() throws Exception {
        assertThat(registry.get("price:AAPL")).isNull();
        Room room = registry.acquire("price:AAPL");
        assertThat(room.name()).isEqualTo("price:AAPL");
        assertThat(room.kind()).isEqualTo(PRICE);
        assertThat(room.conflate()).isTrue();
        assertThat(registry.acquire("price:AAPL")).isSameAs(room);
        assertThat(registry.get("price:AAPL")).isSameAs(room);
        assertThat(registry.size()).isEqualTo(1);
        assertThat(registry.acquire("account:1").conflate()).isFalse();
        assertThat(registry.size()).isEqualTo(2);
    }

    @Test
    void kindOf() {
        assertThat(registry.kindOf("price:AAPL")).isEqualTo(PRICE);
        assertThat(registry.kindOf("account:7")).isEqualTo(ACCOUNT);
        assertThat(registry.kindOf("quotes:AAPL")).isNull();
    }

    @Test
    void encoderIsOnePerThread() throws Exception {
        FrameEncoder mine = registry.encoder();
        assertThat(registry.encoder()).isSameAs(mine);
        FrameEncoder[] other = new FrameEncoder[1];
        Thread t = new io.netty.util.concurrent.FastThreadLocalThread(() -> other[0] = registry.encoder());
        t.start();
        t.join();
        assertThat(other[0]).isNotNull().isNotSameAs(mine);
    }

    // ---- the per-kind bound ----

    @Test
    void maxRoomsPerKindIsEnforced() throws Exception {
        registry.acquire("account:1");
        registry.acquire("account:2");
        assertThatThrownBy(() -> registry.acquire("account:3")).isInstanceOf(RoomLimitException.class)
                .hasMessageContaining("account");
        assertThat(registry.get("account:3")).isNull();
        // an existing room is still returned at the limit, and other kinds are unaffected
        assertThat(registry.acquire("account:1")).isNotNull();
        registry.acquire("price:A");
        registry.acquire("price:B");
        registry.acquire("price:C");
        assertThatThrownBy(() -> registry.acquire("price:D")).isInstanceOf(RoomLimitException.class);
        assertThat(registry.size()).isEqualTo(5);
        // a refused acquire does not use up the bound
        assertThatThrownBy(() -> registry.acquire("account:3")).isInstanceOf(RoomLimitException.class);
        assertThat(registry.size()).isEqualTo(5);
    }

    @Test
    void retirementFreesItsPlaceUnderTheBound() throws Exception {
        registry.acquire("account:1");
        registry.acquire("account:2");
        now.addAndGet(ACCOUNT.idleEvictSeconds() * 1000);
        assertThat(registry.sweep()).isEqualTo(2);
        registry.acquire("account:3");
        registry.acquire("account:4");
        assertThatThrownBy(() -> registry.acquire("account:5")).isInstanceOf(RoomLimitException.class);
    }

    @Test
    void clearFreesTheBound() throws Exception {
        registry.acquire("account:1");
        registry.acquire("account:2");
        registry.clear();
        assertThat(registry.size()).isZero();
        registry.acquire("account:3");
        registry.acquire("account:4");
    }

    @Test
    void concurrentAcquiresOfOneRoomGetOneRoomAndCountOnce() throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Room>> got = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            got.add(pool.submit(() -> {
                go.await();
                return registry.acquire("account:1");
            }));
        }
        go.countDown();
        Set<Room> distinct = new HashSet<>();
        for (Future<Room> f : got) {
            distinct.add(f.get(10, TimeUnit.SECONDS));
        }
        pool.shutdown();
        assertThat(distinct).hasSize(1);
        registry.acquire("account:2"); // the bound of 2 counted account:1 once
        assertThatThrownBy(() -> registry.acquire("account:3")).isInstanceOf(RoomLimitException.class);
    }

    /**
     * Two creators of one room: the one whose room is not kept must give back its place under the bound. The
     * clock (read while creating) runs the competing acquire at exactly that point, making the race certain.
     */
    @Test
    void anAcquireThatLosesTheCreationRaceGivesBackItsPlace() throws Exception {
        boolean[] competeOnNextTick = {false};
        RoomRegistry[] holder = new RoomRegistry[1];
        Room[] winner = new Room[1];
        RoomRegistry racy = new RoomRegistry(KINDS, bus, 1, PooledByteBufAllocator.DEFAULT, () -> {
            if (competeOnNextTick[0]) {
                competeOnNextTick[0] = false;
                try {
                    winner[0] = holder[0].acquire("account:1");
                } catch (RoomLimitException e) {
                    throw new AssertionError(e);
                }
            }
            return now.get();
        });
        holder[0] = racy;
        try {
            competeOnNextTick[0] = true;
            Room loser = racy.acquire("account:1");
            assertThat(winner[0]).isNotNull();
            assertThat(loser).isSameAs(winner[0]);
            assertThat(racy.size()).isEqualTo(1);
            racy.acquire("account:2"); // the bound of 2 counts account:1 once
            assertThatThrownBy(() -> racy.acquire("account:3")).isInstanceOf(RoomLimitException.class);
        } finally {
            racy.clear();
        }
    }

    // ---- sweeping ----

    @Test
    void sweepRetiresIdleRoomsWithoutSubscribers() throws Exception {
        Room room = registry.acquire("account:1");
        now.addAndGet(ACCOUNT.idleEvictSeconds() * 1000 - 1);
        assertThat(registry.sweep()).isZero();
        assertThat(registry.get("account:1")).isSameAs(room);
        now.addAndGet(1);
        assertThat(registry.sweep()).isEqualTo(1);
        assertThat(registry.get("account:1")).isNull();
        assertThat(registry.size()).isZero();
        assertThat(room.addSubscriber(0, new IdleSubscriber())).as("a retired room refuses subscribers").isFalse();
        Room again = registry.acquire("account:1");
        assertThat(again).isNotSameAs(room);
        assertThat(again.whenWarm()).isDone();
    }

    @Test
    void sweepKeepsRoomsWithASubscriber() throws Exception {
        Room held = registry.acquire("account:1");
        Room idle = registry.acquire("account:2");
        RoomSubscriber subscriber = new IdleSubscriber();
        assertThat(held.addSubscriber(0, subscriber)).isTrue();
        now.addAndGet(10L * ACCOUNT.idleEvictSeconds() * 1000);
        assertThat(registry.sweep()).isEqualTo(1);
        assertThat(registry.get("account:1")).isSameAs(held);
        assertThat(registry.get("account:2")).isNull();
        assertThat(idle.addSubscriber(0, subscriber)).isFalse();

        held.removeSubscriber(0, subscriber, now.get());
        assertThat(registry.sweep()).isZero(); // leaving just now counts as activity
        now.addAndGet(ACCOUNT.idleEvictSeconds() * 1000);
        assertThat(registry.sweep()).isEqualTo(1);
        assertThat(registry.get("account:1")).isNull();
    }

    @Test
    void sweepUsesEachKindsIdleTime() throws Exception {
        registry.acquire("account:1"); // 60 s
        registry.acquire("price:A"); // 300 s
        now.addAndGet(61_000);
        assertThat(registry.sweep()).isEqualTo(1);
        assertThat(registry.get("price:A")).isNotNull();
        now.addAndGet(300_000);
        assertThat(registry.sweep()).isEqualTo(1);
        assertThat(registry.size()).isZero();
    }

    @Test
    void sweepReleasesTheRingsOfRetiredRooms() throws Exception {
        Room room = registry.acquire("trades:ES");
        EncodedEvent e = registry.encoder().event(new io.tickwire.gateway.bus.BusEvent(
                "trades:ES", 1, bus.processEpoch(), now.get(), "1".getBytes(StandardCharsets.UTF_8)));
        e.retain();
        assertThat(room.append(e, now.get())).isTrue();
        assertThat(e.refCnt()).isEqualTo(2);
        now.addAndGet(TRADES.idleEvictSeconds() * 1000);
        assertThat(registry.sweep()).isEqualTo(1);
        assertThat(e.refCnt()).isEqualTo(1);
        e.release();
    }

    // ---- warming ----

    @Test
    void aRoomCreatedBeforeAnyEventIsWarmAtZero() throws Exception {
        Room room = registry.acquire("account:1");
        assertThat(room.whenWarm()).isCompletedWithValue(room);
        Room.Position p = room.position();
        assertThat(p).isEqualTo(new Room.Position(bus.processEpoch(), 0, null));
        assertThat(room.after(0)).isNull();
    }

    @Test
    void aReliableRoomCreatedAfterPublishesKnowsTheBusPosition() throws Exception {
        publish("account:1", "{\"n\":1}");
        publish("account:1", "{\"n\":2}");
        long last = publish("account:1", "{\"n\":3}");
        Room room = registry.acquire("account:1");
        assertThat(room.whenWarm().get(5, TimeUnit.SECONDS)).isSameAs(room);
        Room.Position p = room.position();
        try {
            assertThat(p.epoch()).isEqualTo(bus.processEpoch());
            assertThat(p.seq()).isEqualTo(last);
        } finally {
            if (p.latest() != null) {
                p.latest().release();
            }
        }
        // nothing after the warmed position yet; older events must come from the bus
        assertThat(room.after(last)).isNull();
        assertThat(room.after(last - 1)).isSameAs(Room.NOT_COVERED);
    }

    @Test
    void aConflateRoomCreatedAfterPublishesHoldsTheLatestEvent() throws Exception {
        publish("price:AAPL", "{\"bid\":1}");
        long last = publish("price:AAPL", "{\"bid\":2}");
        Room room = registry.acquire("price:AAPL");
        assertThat(room.whenWarm().get(5, TimeUnit.SECONDS)).isSameAs(room);
        Room.Position p = room.position();
        try {
            assertThat(p.epoch()).isEqualTo(bus.processEpoch());
            assertThat(p.seq()).isEqualTo(last);
            assertThat(p.latest()).isNotNull();
            assertThat(p.latest().seq()).isEqualTo(last);
            assertThat(p.latest().epoch()).isEqualTo(bus.processEpoch());
            assertThat(p.latest().dataCopy()).isEqualTo("{\"bid\":2}".getBytes(StandardCharsets.UTF_8));
        } finally {
            p.latest().release();
        }
    }

    @Test
    void liveEventsAfterWarmingAreCoveredByTheRing() throws Exception {
        long warmSeq = publish("trades:ES", "1");
        Room room = registry.acquire("trades:ES");
        room.whenWarm().get(5, TimeUnit.SECONDS);
        long next = publish("trades:ES", "2");
        EncodedEvent live = registry.encoder().event(
                bus.latest("trades:ES").toCompletableFuture().join());
        assertThat(room.append(live, now.get())).isTrue();
        assertThat(positionSeq(room)).isEqualTo(next);
        EncodedEvent after = room.after(warmSeq);
        try {
            assertThat(after.seq()).isEqualTo(next);
        } finally {
            after.release();
        }
    }

    @Test
    void clearRetiresEveryRoom() throws Exception {
        publish("price:AAPL", "{\"bid\":1}");
        Room price = registry.acquire("price:AAPL");
        Room account = registry.acquire("account:1");
        registry.clear();
        assertThat(registry.size()).isZero();
        assertThat(price.addSubscriber(0, new IdleSubscriber())).isFalse();
        assertThat(account.addSubscriber(0, new IdleSubscriber())).isFalse();
        Room.Position p = price.position();
        assertThat(p.latest()).as("a cleared room holds no buffer").isNull();
    }

    // ---- rooms held from the feed (remote bus history) ----

    /** The in-memory bus, presented as one whose history is remote (as JetStream's is). */
    private RoomRegistry remoteHistoryRegistry() {
        EventBus remote = new EventBus() {
            @Override
            public java.util.concurrent.CompletionStage<PublishResult> publish(String room, byte[] data, String msgId) {
                return bus.publish(room, data, msgId);
            }

            @Override
            public void start(EventSink sink) {
                bus.start(sink);
            }

            @Override
            public java.util.concurrent.CompletionStage<RoomPosition> position(String room) {
                return bus.position(room);
            }

            @Override
            public java.util.concurrent.CompletionStage<HistoryRead> readAfter(String room, long afterSeq, int max) {
                return bus.readAfter(room, afterSeq, max);
            }

            @Override
            public java.util.concurrent.CompletionStage<BusEvent> latest(String room) {
                return bus.latest(room);
            }

            @Override
            public boolean remoteHistory() {
                return true;
            }

            @Override
            public void close() {}
        };
        return new RoomRegistry(KINDS, remote, 1, PooledByteBufAllocator.DEFAULT, now::get);
    }

    private BusEvent event(String room, long seq) {
        return new BusEvent(room, seq, bus.processEpoch(), now.get(), ("{\"n\":" + seq + "}").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void withALocalHistoryNoRoomIsHeldFromTheFeed() {
        assertThat(registry.holdFromFeed(event("account:1", 5))).isNull();
        assertThat(registry.size()).isZero();
    }

    @Test
    void aRoomHeldFromTheFeedCoversEverythingAfterTheEventBeforeItsFirst() throws Exception {
        RoomRegistry feed = remoteHistoryRegistry();
        try {
            Room room = feed.holdFromFeed(event("account:7", 41));
            assertThat(room.whenWarm()).isCompleted();
            assertThat(room.append(feed.encoder().event(event("account:7", 41)), now.get())).isTrue();
            assertThat(room.append(feed.encoder().event(event("account:7", 44)), now.get())).isTrue();
            assertThat(room.after(39)).as("older than the feed's first event").isSameAs(Room.NOT_COVERED);
            EncodedEvent first = room.after(40);
            EncodedEvent second = room.after(41);
            try {
                assertThat(first.seq()).isEqualTo(41);
                assertThat(second.seq()).isEqualTo(44);
            } finally {
                first.release();
                second.release();
            }
            assertThat(room.after(44)).as("nothing newer yet").isNull();
            assertThat(feed.get("account:7")).isSameAs(room);
            assertThat(feed.heldFromFeed()).isEqualTo(1);
        } finally {
            feed.clear();
        }
    }

    @Test
    void roomsHeldFromTheFeedDoNotCountAgainstTheKindsLimitUntilASubscriberTakesOne() throws Exception {
        RoomRegistry feed = remoteHistoryRegistry();
        try {
            for (int i = 1; i <= 5; i++) { // account allows 2 rooms
                assertThat(feed.holdFromFeed(event("account:" + i, i))).isNotNull();
            }
            assertThat(feed.acquire("account:1")).isSameAs(feed.get("account:1"));
            assertThat(feed.heldFromFeed()).isEqualTo(4);
            feed.acquire("account:9"); // a new room: the second of the kind
            assertThatThrownBy(() -> feed.acquire("account:2")).isInstanceOf(RoomLimitException.class);
            assertThat(feed.heldFromFeed()).as("refused: still held from the feed").isEqualTo(4);
            assertThat(feed.get("account:2")).isNotNull();
        } finally {
            feed.clear();
        }
        assertThat(feed.heldFromFeed()).isZero();
    }

    @Test
    void theFeedsRoomsAreBoundedAndRetireWhenIdle() {
        RoomRegistry feed = remoteHistoryRegistry();
        try {
            for (int i = 0; i < RoomRegistry.MAX_FEED_ROOMS; i++) {
                assertThat(feed.holdFromFeed(event("trades:S" + i, i + 1))).isNotNull();
            }
            assertThat(feed.holdFromFeed(event("trades:ONE_MORE", 1))).as("budget used up").isNull();
            assertThat(feed.get("trades:ONE_MORE")).isNull();
            now.addAndGet(TRADES.idleEvictSeconds() * 1000);
            assertThat(feed.sweep()).isEqualTo(RoomRegistry.MAX_FEED_ROOMS);
            assertThat(feed.heldFromFeed()).isZero();
            assertThat(feed.holdFromFeed(event("trades:ONE_MORE", 1))).isNotNull();
        } finally {
            feed.clear();
        }
    }

    @Test
    void aRoomHeldFromTheFeedLivesWhileEventsComeAndRetiresWhenTheyStop() throws Exception {
        RoomRegistry feed = remoteHistoryRegistry();
        try {
            Room room = feed.holdFromFeed(event("trades:LIVE", 1));
            long idle = TRADES.idleEvictSeconds() * 1000;
            for (long seq = 1; seq <= 4; seq++) {
                now.addAndGet(idle / 2);
                assertThat(room.append(feed.encoder().event(event("trades:LIVE", seq)), now.get())).isTrue();
                assertThat(feed.sweep()).as("busy: kept").isZero();
            }
            now.addAndGet(idle);
            assertThat(feed.sweep()).as("no event for the idle time: retired").isEqualTo(1);
            assertThat(feed.heldFromFeed()).isZero();
            assertThat(feed.get("trades:LIVE")).isNull();
        } finally {
            feed.clear();
        }
    }

    @Test
    void theRingOfARoomHeldFromTheFeedIsSmallUntilSubscribed() throws Exception {
        RoomRegistry feed = remoteHistoryRegistry();
        try {
            Room room = feed.holdFromFeed(event("trades:BIG", 1));
            for (long seq = 1; seq <= 100; seq++) { // ~300-byte frames: 16 KiB holds about 50
                byte[] data = ("{\"pad\":\"" + "x".repeat(256) + "\"}").getBytes(StandardCharsets.UTF_8);
                room.append(feed.encoder().event(new BusEvent("trades:BIG", seq, bus.processEpoch(), now.get(), data)),
                        now.get());
            }
            assertThat(room.after(10)).as("evicted under the feed ring's bound").isSameAs(Room.NOT_COVERED);
            feed.acquire("trades:BIG");
            for (long seq = 101; seq <= 200; seq++) {
                room.append(feed.encoder().event(event("trades:BIG", seq)), now.get());
            }
            EncodedEvent e = room.after(100);
            try {
                assertThat(e.seq()).as("subscribed: the full ring holds all 100 newer events").isEqualTo(101);
            } finally {
                e.release();
            }
        } finally {
            feed.clear();
        }
    }
}
