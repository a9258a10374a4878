package io.tickwire.gateway.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tickwire.gateway.config.GatewayConfig;
import io.tickwire.gateway.config.GatewayConfig.Access;
import io.tickwire.gateway.config.GatewayConfig.Delivery;
import io.tickwire.gateway.config.GatewayConfig.Kind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The in-memory bus: numbering, epochs, sink order, deduplication, history, age limits, eviction, closing. */
class InMemoryEventBusTest {

    static final long T0 = 1_764_268_800_000L;

    /** conflate, latest only. */
    static final Kind PRICE = new Kind("price", Access.AUTHENTICATED, Delivery.CONFLATE, 1, 0, 100, 300);
    /** reliable, 5 events, 60 s of history, evicted after 30 s idle (but never before its history age). */
    static final Kind TRADES = new Kind("trades", Access.AUTHENTICATED, Delivery.RELIABLE, 5, 60, 100, 30);
    /** reliable, 1000 events, no age limit, evicted after 60 s idle. */
    static final Kind ACCOUNT = new Kind("account", Access.GRANTED, Delivery.RELIABLE, 1000, 0, 100, 60);

    static final Map<String, Kind> KINDS = Map.of("price", PRICE, "trades", TRADES, "account", ACCOUNT);
    static final GatewayConfig.Bus BUS = new GatewayConfig.Bus("memory", 120, 10_000);

    final AtomicLong now = new AtomicLong(T0);
    final List<InMemoryEventBus> buses = new ArrayList<>();

    InMemoryEventBus bus(LongSupplier clock) {
        InMemoryEventBus b = new InMemoryEventBus(KINDS, BUS, clock);
        buses.add(b);
        return b;
    }

    InMemoryEventBus bus() {
        return bus(now::get);
    }

    @AfterEach
    void closeBuses() {
        buses.forEach(InMemoryEventBus::close);
    }

    static byte[] data(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    static EventBus.PublishResult publish(EventBus bus, String room, String json, String msgId) {
        return bus.publish(room, data(json), msgId).toCompletableFuture().join();
    }

    static EventBus.HistoryRead read(EventBus bus, String room, long after, int max) {
        return bus.readAfter(room, after, max).toCompletableFuture().join();
    }

    static List<Long> seqs(EventBus.HistoryRead read) {
        return read.events().stream().map(BusEvent::seq).toList();
    }

    // ---- numbering and epochs ----

    @Test
    void eachRoomCountsOneTwoThree() {
        InMemoryEventBus bus = bus();
        assertThat(publish(bus, "account:1", "1", null).seq()).isEqualTo(1);
        assertThat(publish(bus, "account:1", "2", null).seq()).isEqualTo(2);
        assertThat(publish(bus, "account:2", "1", null).seq()).isEqualTo(1);
        assertThat(publish(bus, "account:1", "3", null).seq()).isEqualTo(3);
        assertThat(publish(bus, "price:AAPL", "1", null).seq()).isEqualTo(1);
        assertThat(publish(bus, "account:2", "2", null).seq()).isEqualTo(2);
        EventBus.PublishResult r = publish(bus, "trades:ES", "{}", null);
        assertThat(r.room()).isEqualTo("trades:ES");
        assertThat(r.duplicate()).isFalse();
    }

    @Test
    void oneEpochForEveryRoomOfAProcess() {
        InMemoryEventBus bus = bus();
        String epoch = bus.processEpoch();
        assertThat(epoch).isNotBlank();
        assertThat(publish(bus, "account:1", "1", null).epoch()).isEqualTo(epoch);
        assertThat(publish(bus, "price:AAPL", "1", null).epoch()).isEqualTo(epoch);
        assertThat(publish(bus, "trades:ES", "1", null).epoch()).isEqualTo(epoch);
        assertThat(bus.position("account:1").toCompletableFuture().join().epoch()).isEqualTo(epoch);
        assertThat(bus.position("never:seen").toCompletableFuture().join().epoch()).isEqualTo(epoch);
        assertThat(read(bus, "account:1", 0, 10).epoch()).isEqualTo(epoch);
        assertThat(bus.latest("price:AAPL").toCompletableFuture().join().epoch()).isEqualTo(epoch);
    }

    @Test
    void anotherProcessHasAnotherEpoch() {
        assertThat(bus().processEpoch()).isNotEqualTo(bus().processEpoch());
    }

    @Test
    void positionOfAnUnknownRoomIsZeroUnderTheProcessEpoch() {
        InMemoryEventBus bus = bus();
        assertThat(bus.position("account:404").toCompletableFuture().join())
                .isEqualTo(new EventBus.RoomPosition(bus.processEpoch(), 0));
    }

    @Test
    void positionFollowsPublishes() {
        InMemoryEventBus bus = bus();
        publish(bus, "account:1", "1", null);
        publish(bus, "account:1", "2", null);
        assertThat(bus.position("account:1").toCompletableFuture().join())
                .isEqualTo(new EventBus.RoomPosition(bus.processEpoch(), 2));
    }

    // ---- latest ----

    @Test
    void latestIsNullForAnUnknownRoomAndTheNewestEventOtherwise() {
        InMemoryEventBus bus = bus();
        assertThat(bus.latest("price:AAPL").toCompletableFuture().join()).isNull();
        byte[] first = data("{\"bid\":1}");
        byte[] second = data("{\"bid\":2}");
        bus.publish("price:AAPL", first, null).toCompletableFuture().join();
        now.addAndGet(5);
        bus.publish("price:AAPL", second, null).toCompletableFuture().join();
        BusEvent latest = bus.latest("price:AAPL").toCompletableFuture().join();
        assertThat(latest.room()).isEqualTo("price:AAPL");
        assertThat(latest.seq()).isEqualTo(2);
        assertThat(latest.timestampMillis()).isEqualTo(T0 + 5);
        assertThat(latest.data()).isEqualTo(second);
    }

    @Test
    void latestOfAReliableRoomWithLongHistory() {
        InMemoryEventBus bus = bus();
        for (int i = 1; i <= 20; i++) {
            publish(bus, "account:1", "{\"n\":" + i + "}", null);
        }
        assertThat(bus.latest("account:1").toCompletableFuture().join().data()).isEqualTo(data("{\"n\":20}"));
    }

    // ---- the sink ----

    @Test
    void sinkSeesEveryPublishedEvent() {
        InMemoryEventBus bus = bus();
        List<BusEvent> seen = Collections.synchronizedList(new ArrayList<>());
        bus.start(seen::add);
        byte[] d = data("{\"x\":1}");
        now.set(T0 + 42);
        EventBus.PublishResult r = bus.publish("account:1", d, null).toCompletableFuture().join();
        assertThat(seen).hasSize(1);
        BusEvent e = seen.get(0);
        assertThat(e.room()).isEqualTo("account:1");
        assertThat(e.seq()).isEqualTo(r.seq());
        assertThat(e.epoch()).isEqualTo(bus.processEpoch());
        assertThat(e.timestampMillis()).isEqualTo(T0 + 42);
        assertThat(e.data()).isEqualTo(d);
    }

    @Test
    void sinkSeesEachRoomsEventsInSeqOrderUnderConcurrentPublishers() throws Exception {
        InMemoryEventBus bus = bus();
        int threads = 8;
        int rooms = 4;
        int perThreadPerRoom = 2000;
        Map<String, List<Long>> seen = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
        AtomicBoolean overlapped = new AtomicBoolean();
        for (int r = 0; r < rooms; r++) {
            seen.put("account:" + r, Collections.synchronizedList(new ArrayList<>()));
            inFlight.put("account:" + r, new AtomicInteger());
        }
        bus.start(e -> {
            AtomicInteger busy = inFlight.get(e.room());
            if (busy.incrementAndGet() != 1) {
                overlapped.set(true); // one room's events must never reach the sink concurrently
            }
            seen.get(e.room()).add(e.seq());
            Thread.yield();
            busy.decrementAndGet();
        });
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            done.add(pool.submit(() -> {
                go.await();
                for (int i = 0; i < perThreadPerRoom; i++) {
                    for (int r = 0; r < rooms; r++) {
                        bus.publish("account:" + r, data("1"), null).toCompletableFuture().join();
                    }
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : done) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(overlapped).isFalse();
        for (int r = 0; r < rooms; r++) {
            List<Long> s = seen.get("account:" + r);
            assertThat(s).hasSize(threads * perThreadPerRoom);
            for (int i = 1; i < s.size(); i++) {
                if (s.get(i) <= s.get(i - 1)) {
                    throw new AssertionError("account:" + r + " out of order at " + i + ": " + s.get(i - 1) + " then " + s.get(i));
                }
            }
            assertThat(s.get(s.size() - 1)).isEqualTo((long) threads * perThreadPerRoom);
        }
    }

    // ---- deduplication ----

    @Test
    void aRepeatedMsgIdGetsTheOriginalSeqAndPublishesNothing() {
        InMemoryEventBus bus = bus();
        List<BusEvent> seen = Collections.synchronizedList(new ArrayList<>());
        bus.start(seen::add);
        EventBus.PublishResult first = publish(bus, "account:1", "{\"fill\":1}", "fill-9912");
        publish(bus, "account:1", "{\"other\":1}", null);
        now.addAndGet(1000);
        EventBus.PublishResult again = publish(bus, "account:1", "{\"fill\":1}", "fill-9912");
        assertThat(first.duplicate()).isFalse();
        assertThat(again.duplicate()).isTrue();
        assertThat(again.seq()).isEqualTo(first.seq()).isEqualTo(1);
        assertThat(again.epoch()).isEqualTo(first.epoch());
        assertThat(again.room()).isEqualTo("account:1");
        assertThat(seen).extracting(BusEvent::seq).containsExactly(1L, 2L);
        assertThat(bus.position("account:1").toCompletableFuture().join().latestSeq()).isEqualTo(2);
        assertThat(seqs(read(bus, "account:1", 0, 10))).containsExactly(1L, 2L);
    }

    @Test
    void theSameMsgIdInAnotherRoomIsIndependent() {
        InMemoryEventBus bus = bus();
        List<BusEvent> seen = Collections.synchronizedList(new ArrayList<>());
        bus.start(seen::add);
        publish(bus, "account:2", "0", null);
        EventBus.PublishResult a = publish(bus, "account:1", "1", "m-1");
        EventBus.PublishResult b = publish(bus, "account:2", "1", "m-1");
        assertThat(a.duplicate()).isFalse();
        assertThat(b.duplicate()).isFalse();
        assertThat(a.seq()).isEqualTo(1);
        assertThat(b.seq()).isEqualTo(2);
        assertThat(seen).hasSize(3);
        assertThat(publish(bus, "account:2", "1", "m-1").duplicate()).isTrue();
        assertThat(publish(bus, "account:1", "1", "m-1").duplicate()).isTrue();
        assertThat(seen).hasSize(3);
    }

    @Test
    void withoutMsgIdEveryPublishIsNew() {
        InMemoryEventBus bus = bus();
        assertThat(publish(bus, "account:1", "1", null).seq()).isEqualTo(1);
        assertThat(publish(bus, "account:1", "1", null).seq()).isEqualTo(2);
    }

    @Test
    void aMsgIdRepeatedAfterTheWindowPublishesAgain() {
        InMemoryEventBus bus = bus();
        EventBus.PublishResult first = publish(bus, "account:1", "1", "m");
        now.addAndGet(BUS.dedupWindowSeconds() * 1000);
        assertThat(publish(bus, "account:1", "1", "m").duplicate()).isTrue();
        now.addAndGet(1);
        EventBus.PublishResult later = publish(bus, "account:1", "1", "m");
        assertThat(later.duplicate()).isFalse();
        assertThat(later.seq()).isGreaterThan(first.seq());
    }

    @Test
    void dedupEntriesExpireOnSweep() {
        InMemoryEventBus bus = bus();
        publish(bus, "account:1", "1", "m");
        now.addAndGet(BUS.dedupWindowSeconds() * 1000 + 1);
        bus.sweep();
        now.set(T0 + 1); // even a publish stamped inside the old window: the entry is gone
        assertThat(publish(bus, "account:1", "1", "m").duplicate()).isFalse();
    }

    // ---- history ----

    @Test
    void readAfterReturnsPagesOldestFirst() {
        InMemoryEventBus bus = bus();
        for (int i = 1; i <= 5; i++) {
            publish(bus, "account:1", "{\"n\":" + i + "}", null);
        }
        EventBus.HistoryRead p1 = read(bus, "account:1", 0, 2);
        assertThat(seqs(p1)).containsExactly(1L, 2L);
        assertThat(p1.complete()).isTrue();
        assertThat(p1.latestSeq()).isEqualTo(5);
        assertThat(p1.epoch()).isEqualTo(bus.processEpoch());
        assertThat(p1.events().get(0).data()).isEqualTo(data("{\"n\":1}"));
        EventBus.HistoryRead p2 = read(bus, "account:1", 2, 2);
        assertThat(seqs(p2)).containsExactly(3L, 4L);
        EventBus.HistoryRead p3 = read(bus, "account:1", 4, 2);
        assertThat(seqs(p3)).containsExactly(5L);
        assertThat(p3.complete()).isTrue();
        EventBus.HistoryRead p4 = read(bus, "account:1", 5, 2);
        assertThat(p4.events()).isEmpty();
        assertThat(p4.complete()).isTrue();
        assertThat(p4.latestSeq()).isEqualTo(5);
    }

    @Test
    void readAfterOfAnUnknownRoom() {
        InMemoryEventBus bus = bus();
        EventBus.HistoryRead r = read(bus, "account:9", 0, 10);
        assertThat(r.events()).isEmpty();
        assertThat(r.complete()).isTrue();
        assertThat(r.latestSeq()).isZero();
        assertThat(r.epoch()).isEqualTo(bus.processEpoch());
    }

    @Test
    void historyOverflowReportsIncompleteReadsFromBeforeTheOldestKept() {
        InMemoryEventBus bus = bus();
        for (int i = 1; i <= 8; i++) {
            publish(bus, "trades:ES", "{\"n\":" + i + "}", null); // TRADES keeps 5
        }
        EventBus.HistoryRead from0 = read(bus, "trades:ES", 0, 100);
        assertThat(seqs(from0)).containsExactly(4L, 5L, 6L, 7L, 8L);
        assertThat(from0.complete()).isFalse();
        assertThat(from0.latestSeq()).isEqualTo(8);
        assertThat(read(bus, "trades:ES", 2, 100).complete()).isFalse();
        // after 3: every later event (4..8) is still stored
        EventBus.HistoryRead from3 = read(bus, "trades:ES", 3, 100);
        assertThat(from3.complete()).isTrue();
        assertThat(seqs(from3)).containsExactly(4L, 5L, 6L, 7L, 8L);
        assertThat(seqs(read(bus, "trades:ES", 6, 100))).containsExactly(7L, 8L);
        assertThat(read(bus, "trades:ES", 6, 100).complete()).isTrue();
    }

    @Test
    void conflateRoomKeepsOnlyTheLatest() {
        InMemoryEventBus bus = bus();
        publish(bus, "price:AAPL", "1", null);
        publish(bus, "price:AAPL", "2", null);
        EventBus.HistoryRead r = read(bus, "price:AAPL", 0, 10);
        assertThat(seqs(r)).containsExactly(2L);
        assertThat(r.complete()).isFalse();
        assertThat(read(bus, "price:AAPL", 1, 10).complete()).isTrue();
    }

    @Test
    void ageLimitDropsOldEventsButKeepsTheNewest() {
        InMemoryEventBus bus = bus();
        publish(bus, "trades:ES", "1", null);
        publish(bus, "trades:ES", "2", null);
        now.addAndGet(30_000);
        publish(bus, "trades:ES", "3", null);
        now.addAndGet(31_000); // events 1, 2 are now 61 s old; 3 is 31 s old
        EventBus.HistoryRead r = read(bus, "trades:ES", 0, 10);
        assertThat(seqs(r)).containsExactly(3L);
        assertThat(r.complete()).isFalse();
        assertThat(read(bus, "trades:ES", 2, 10).complete()).isTrue();
        assertThat(read(bus, "trades:ES", 1, 10).complete()).isFalse();

        now.addAndGet(1_000_000); // everything is too old; the newest stays as the room's latest value
        EventBus.HistoryRead later = read(bus, "trades:ES", 2, 10);
        assertThat(seqs(later)).containsExactly(3L);
        assertThat(later.complete()).isTrue();
        assertThat(bus.latest("trades:ES").toCompletableFuture().join().seq()).isEqualTo(3);
    }

    @Test
    void eventsExactlyAtTheAgeLimitAreKept() {
        InMemoryEventBus bus = bus();
        publish(bus, "trades:ES", "1", null);
        publish(bus, "trades:ES", "2", null);
        now.addAndGet(60_000);
        assertThat(seqs(read(bus, "trades:ES", 0, 10))).containsExactly(1L, 2L);
        now.addAndGet(1);
        assertThat(seqs(read(bus, "trades:ES", 0, 10))).containsExactly(2L);
    }

    @Test
    void kindWithoutAgeLimitKeepsOldEvents() {
        InMemoryEventBus bus = bus();
        publish(bus, "account:1", "1", null);
        publish(bus, "account:1", "2", null);
        now.addAndGet(10L * 365 * 24 * 3600 * 1000);
        EventBus.HistoryRead r = read(bus, "account:1", 0, 10);
        assertThat(seqs(r)).containsExactly(1L, 2L);
        assertThat(r.complete()).isTrue();
    }

    // ---- eviction ----

    @Test
    void sweepKeepsRoomsThatAreNotIdleLongEnough() {
        InMemoryEventBus bus = bus();
        publish(bus, "account:1", "1", null);
        now.addAndGet(ACCOUNT.idleEvictSeconds() * 1000);
        bus.sweep();
        assertThat(bus.position("account:1").toCompletableFuture().join().latestSeq()).isEqualTo(1);
        publish(bus, "trades:ES", "1", null);
        now.addAndGet(TRADES.idleEvictSeconds() * 1000 + 1); // idle, but its history age (60 s) has not passed
        bus.sweep();
        assertThat(bus.position("trades:ES").toCompletableFuture().join().latestSeq()).isEqualTo(1);
        assertThat(bus.latest("trades:ES").toCompletableFuture().join()).isNotNull();
    }

    @Test
    void aPublishResetsTheIdleTime() {
        InMemoryEventBus bus = bus();
        publish(bus, "account:1", "1", null);
        now.addAndGet(50_000);
        publish(bus, "account:1", "2", null);
        now.addAndGet(50_000);
        bus.sweep();
        assertThat(bus.position("account:1").toCompletableFuture().join().latestSeq()).isEqualTo(2);
    }

    @Test
    void evictedRoomRepublishedCountsOnAboveEveryEarlierSeqUnderTheSameEpoch() {
        InMemoryEventBus bus = bus();
        for (int i = 0; i < 3; i++) {
            publish(bus, "account:1", "1", null);
        }
        publish(bus, "account:2", "1", null);
        now.addAndGet(ACCOUNT.idleEvictSeconds() * 1000 + 1);
        bus.sweep();
        // the history is gone; the position stays in the same epoch (its seq may be 0 or where the next log
        // will count on from, but an old seq is never reused: checked below)
        assertThat(bus.position("account:1").toCompletableFuture().join().epoch()).isEqualTo(bus.processEpoch());
        assertThat(bus.latest("account:1").toCompletableFuture().join()).isNull();
        assertThat(read(bus, "account:1", 1, 10).complete()).isFalse();

        EventBus.PublishResult again = publish(bus, "account:1", "{\"after\":1}", null);
        assertThat(again.epoch()).isEqualTo(bus.processEpoch());
        assertThat(again.seq()).isGreaterThan(3);
        assertThat(publish(bus, "account:1", "2", null).seq()).isGreaterThan(again.seq());

        for (long old = 0; old < 3; old++) {
            EventBus.HistoryRead r = read(bus, "account:1", old, 10);
            assertThat(r.complete()).as("read after evicted seq %d", old).isFalse();
            assertThat(r.latestSeq()).isGreaterThan(again.seq());
        }
        EventBus.HistoryRead fromLast = read(bus, "account:1", 3, 10);
        assertThat(fromLast.events()).extracting(BusEvent::seq).first().isEqualTo(again.seq());
    }

    @Test
    void evictedConflateRoomRepublished() {
        InMemoryEventBus bus = bus();
        publish(bus, "price:AAPL", "1", null);
        publish(bus, "price:AAPL", "2", null);
        now.addAndGet(PRICE.idleEvictSeconds() * 1000 + 1);
        bus.sweep();
        assertThat(bus.latest("price:AAPL").toCompletableFuture().join()).isNull();
        EventBus.PublishResult r = publish(bus, "price:AAPL", "3", null);
        assertThat(r.seq()).isGreaterThan(2);
        assertThat(r.epoch()).isEqualTo(bus.processEpoch());
        assertThat(read(bus, "price:AAPL", 1, 10).complete()).isFalse();
    }

    /**
     * The in-memory bus counts a room's new log on from the highest seq of any evicted room, and reports
     * everything before that start as discarded. A room that never existed before has lost nothing: a
     * client that subscribed to it while it was empty (seq 0, contract §2) and resumes from 0 is owed the
     * replay of every event, not a gap (which the gateway turns into a reset, contract §5).
     */
    @Test
    void aBrandNewRoomServesAResumeFromItsSubscribePositionAfterAnotherRoomWasEvicted() {
        InMemoryEventBus bus = bus();
        for (int i = 0; i < 10; i++) {
            publish(bus, "account:1", "1", null);
        }
        now.addAndGet(ACCOUNT.idleEvictSeconds() * 1000 + 1);
        bus.sweep();

        // a client subscribes to account:2 while it has no event: it starts from the position the room's
        // log will count on from (above every evicted seq, so not necessarily 0)
        long subscribedSeq = bus.position("account:2").toCompletableFuture().join().latestSeq();
        EventBus.PublishResult fill = publish(bus, "account:2", "{\"fill\":1}", null);
        assertThat(fill.seq()).isGreaterThan(subscribedSeq);
        EventBus.HistoryRead resume = read(bus, "account:2", subscribedSeq, 10);
        assertThat(resume.events()).extracting(BusEvent::seq).containsExactly(fill.seq());
        assertThat(resume.complete()).as("resume from the subscribe position in a room that never had another event").isTrue();
    }

    /**
     * A publish that races the sweeper: the publisher has looked up the room's log, the sweeper then evicts
     * that (idle) log, and the publish appends to the evicted log. Its event vanishes from history and its
     * seq is handed out again by the next log. The clock here lets the sweep run at exactly that point, on the
     * publishing thread, to make the interleaving deterministic.
     */
    @Test
    void aPublishRacingTheSweeperNeitherLosesItsEventNorReusesItsSeq() {
        AtomicBoolean sweepOnNextTick = new AtomicBoolean();
        InMemoryEventBus[] holder = new InMemoryEventBus[1];
        InMemoryEventBus bus = bus(() -> {
            if (sweepOnNextTick.compareAndSet(true, false)) {
                holder[0].sweep();
            }
            return now.get();
        });
        holder[0] = bus;
        List<Long> sinkSeqs = Collections.synchronizedList(new ArrayList<>());
        bus.start(e -> sinkSeqs.add(e.seq()));
        for (int i = 0; i < 3; i++) {
            publish(bus, "account:1", "1", null);
        }
        now.addAndGet(ACCOUNT.idleEvictSeconds() * 1000 + 1);
        sweepOnNextTick.set(true);
        EventBus.PublishResult racing = publish(bus, "account:1", "{\"racing\":1}", null);
        EventBus.PublishResult next = publish(bus, "account:1", "{\"next\":1}", null);

        assertThat(next.seq()).as("seq after the racing publish's %d", racing.seq()).isGreaterThan(racing.seq());
        for (int i = 1; i < sinkSeqs.size(); i++) {
            assertThat(sinkSeqs.get(i)).as("sink order %s", sinkSeqs).isGreaterThan(sinkSeqs.get(i - 1));
        }
        EventBus.HistoryRead history = read(bus, "account:1", 3, 10);
        assertThat(history.events()).extracting(BusEvent::seq).contains(racing.seq());
    }

    // ---- failures ----

    @Test
    void publishToAnUnknownKindFails() {
        InMemoryEventBus bus = bus();
        List<BusEvent> seen = new ArrayList<>();
        bus.start(seen::add);
        for (String room : new String[] {"quotes:AAPL", "nokind", ":x"}) {
            assertThatThrownBy(() -> bus.publish(room, data("1"), null).toCompletableFuture().join())
                    .as(room).isInstanceOf(CompletionException.class).hasCauseInstanceOf(IllegalArgumentException.class);
        }
        assertThat(seen).isEmpty();
        assertThat(bus.position("quotes:AAPL").toCompletableFuture().join().latestSeq()).isZero();
    }

    @Test
    void publishAfterCloseFailsWithBusUnavailable() {
        InMemoryEventBus bus = bus();
        publish(bus, "account:1", "1", null);
        bus.close();
        assertThatThrownBy(() -> bus.publish("account:1", data("2"), null).toCompletableFuture().join())
                .isInstanceOf(CompletionException.class).hasCauseInstanceOf(BusUnavailableException.class);
        assertThatThrownBy(() -> bus.publish("account:1", data("2"), "m").toCompletableFuture().join())
                .isInstanceOf(CompletionException.class).hasCauseInstanceOf(BusUnavailableException.class);
        assertThat(bus.publish("account:1", data("3"), null).toCompletableFuture()).isCompletedExceptionally();
        bus.close(); // idempotent
    }

    @Test
    void publishedDataIsStoredAsGivenBytes() {
        InMemoryEventBus bus = bus();
        byte[] d = data("{ \"odd\" :  [1,2 ] , \"u\":\"\u00e9\" }");
        bus.publish("account:1", d, null).toCompletableFuture().join();
        assertThat(read(bus, "account:1", 0, 1).events().get(0).data()).isEqualTo(d);
    }

    @Test
    void aRoomWhoseLogWasEvictedReportsTheGapUntilItIsPublishedToAgain() {
        InMemoryEventBus bus = bus();
        for (int i = 0; i < 3; i++) {
            publish(bus, "account:gone", "1", null);
        }
        now.addAndGet(ACCOUNT.idleEvictSeconds() * 1000 + 1);
        bus.sweep();
        // no log now: a resume from 0 must learn that events 1..3 are gone, not be served "nothing"
        EventBus.HistoryRead fromZero = read(bus, "account:gone", 0, 10);
        assertThat(fromZero.complete()).isFalse();
        assertThat(fromZero.latestSeq()).isGreaterThanOrEqualTo(3);
        assertThat(bus.position("account:gone").toCompletableFuture().join().latestSeq()).isGreaterThanOrEqualTo(3);
        // and asking created nothing
        assertThat(read(bus, "account:gone", fromZero.latestSeq(), 10).complete()).isTrue();
    }
}
