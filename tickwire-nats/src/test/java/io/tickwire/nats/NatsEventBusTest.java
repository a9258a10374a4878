package io.tickwire.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.Nats;
import io.nats.client.PublishOptions;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.PublishAck;
import io.tickwire.gateway.bus.BusEvent;
import io.tickwire.gateway.bus.BusUnavailableException;
import io.tickwire.gateway.bus.EventBus;
import io.tickwire.gateway.config.GatewayConfig.Access;
import io.tickwire.gateway.config.GatewayConfig.Delivery;
import io.tickwire.gateway.config.GatewayConfig.Kind;
import io.tickwire.testsupport.NatsServerProcess;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@code EventBus} contract on a real nats-server (2.9 here): numbering and epochs, deduplication, the live
 * stream's order and completeness on one and two nodes, position consistency, history pages and gaps, latest
 * values, subject escaping, and an outage with the server restarted on its store. Loss and order are counted
 * with a publisher's counter ({@code "n":N}) inside {@code data}.
 */
class NatsEventBusTest {

    @RegisterExtension
    static final NatsServerProcess nats = new NatsServerProcess();

    /** conflate: the latest value per room. */
    static final Kind PRICE = new Kind("price", Access.AUTHENTICATED, Delivery.CONFLATE, 1, 0, 1000, 300);
    /** reliable, 5 events per room, 60 s. */
    static final Kind TRADES = new Kind("trades", Access.AUTHENTICATED, Delivery.RELIABLE, 5, 60, 1000, 300);
    /** reliable, 50 events per room, no age limit. */
    static final Kind LEDGER = new Kind("ledger", Access.GRANTED, Delivery.RELIABLE, 50, 0, 1000, 300);
    /** reliable, 1000 events per room, no age limit. */
    static final Kind ORDERS = new Kind("orders", Access.GRANTED, Delivery.RELIABLE, 1000, 0, 1000, 300);
    static final Map<String, Kind> KINDS = Map.of("price", PRICE, "trades", TRADES, "ledger", LEDGER, "orders", ORDERS);

    static final Duration WAIT = Duration.ofSeconds(10);
    static final AtomicInteger TESTS = new AtomicInteger();

    final List<NatsEventBus> buses = new ArrayList<>();
    NatsBusSettings settings;

    @BeforeEach
    void isolate() throws Exception {
        nats.start(); // running, whatever an earlier test did
        int n = TESTS.incrementAndGet();
        // each test its own subjects and streams on the shared server
        settings = NatsBusSettings.of(List.of(nats.url()), KINDS).withPrefixes("tw" + n, "TW" + n + "_");
    }

    @AfterEach
    void closeBuses() {
        buses.forEach(NatsEventBus::close);
    }

    NatsEventBus node() {
        NatsEventBus bus = new NatsEventBus(settings);
        buses.add(bus);
        return bus;
    }

    static byte[] data(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] counter(long n) {
        return data("{\"pub\":\"p1\",\"n\":" + n + "}");
    }

    static EventBus.PublishResult publish(EventBus bus, String room, byte[] data, String msgId) {
        return bus.publish(room, data, msgId).toCompletableFuture().join();
    }

    static EventBus.HistoryRead read(EventBus bus, String room, long after, int max) {
        return bus.readAfter(room, after, max).toCompletableFuture().join();
    }

    static List<Long> counters(List<BusEvent> events) {
        return events.stream().map(RecordingSink::counter).toList();
    }

    static List<Long> oneTo(long n) {
        return LongStream.rangeClosed(1, n).boxed().toList();
    }

    static void assertIncreasing(List<Long> seqs, String what) {
        for (int i = 1; i < seqs.size(); i++) {
            if (seqs.get(i) <= seqs.get(i - 1)) {
                throw new AssertionError(what + " out of order at " + i + ": " + seqs.get(i - 1) + " then " + seqs.get(i));
            }
        }
    }

    // ---- publish: numbering, epoch, deduplication ----

    @Test
    void publishAnswersTheStreamSequenceAndTheStreamsEpochAndAMsgIdStoresOnce() throws Exception {
        NatsEventBus bus = node();
        RecordingSink sink = new RecordingSink();
        bus.start(sink);
        String epoch = bus.epoch("trades");
        assertThat(epoch).matches("n-[0-9a-f]{12}");
        assertThat(bus.epoch("price")).as("another stream, another epoch").isNotEqualTo(epoch);

        EventBus.PublishResult first = publish(bus, "trades:ES", counter(1), "fill-1");
        assertThat(first).isEqualTo(new EventBus.PublishResult("trades:ES", 1, epoch, false));
        assertThat(publish(bus, "trades:ES", counter(2), null).seq()).isEqualTo(2);
        EventBus.PublishResult again = publish(bus, "trades:ES", counter(1), "fill-1");
        assertThat(again).as("the same msg_id again: the original seq, nothing stored")
                .isEqualTo(new EventBus.PublishResult("trades:ES", 1, epoch, true));
        EventBus.PublishResult otherRoom = publish(bus, "trades:NQ", counter(1), "fill-1");
        assertThat(otherRoom.duplicate()).as("msg_ids are per room").isFalse();
        assertThat(otherRoom.seq()).as("one stream numbers all its rooms").isEqualTo(3);

        sink.await(list -> list.size() >= 3, WAIT, "3 events");
        Thread.sleep(200); // a duplicate would arrive right behind
        assertThat(sink.events()).extracting(BusEvent::room, BusEvent::seq, BusEvent::epoch).containsExactly(
                org.assertj.core.groups.Tuple.tuple("trades:ES", 1L, epoch),
                org.assertj.core.groups.Tuple.tuple("trades:ES", 2L, epoch),
                org.assertj.core.groups.Tuple.tuple("trades:NQ", 3L, epoch));
        assertThat(bus.position("trades:ES").toCompletableFuture().join())
                .isEqualTo(new EventBus.RoomPosition(epoch, 2));
        assertThat(bus.epoch("trades")).as("a second node computes the same epoch").isEqualTo(node().epoch("trades"));
    }

    @Test
    void publishToAnUnknownKindFailsWithIllegalArgument() {
        NatsEventBus bus = node();
        assertThatThrownBy(() -> publish(bus, "quotes:AAPL", counter(1), null))
                .isInstanceOf(CompletionException.class).hasCauseInstanceOf(IllegalArgumentException.class);
    }

    // ---- the live stream ----

    @Test
    void theSinkSeesEachRoomsEventsInSeqOrderWithEveryCounterOnce() throws Exception {
        NatsEventBus bus = node();
        RecordingSink sink = new RecordingSink();
        bus.start(sink);
        int perRoom = 300;
        List<String> rooms = List.of("orders:1", "orders:2", "price:BRK.B");
        List<CompletableFuture<EventBus.PublishResult>> acks = new ArrayList<>();
        for (int i = 1; i <= perRoom; i++) {
            for (String room : rooms) {
                acks.add(bus.publish(room, counter(i), "p1-" + i).toCompletableFuture());
            }
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).join();
        for (String room : List.of("orders:1", "orders:2")) {
            sink.awaitRoomCount(room, perRoom, WAIT);
        }
        sink.await(list -> list.stream().anyMatch(e -> e.room().equals("price:BRK.B") && RecordingSink.counter(e) == perRoom),
                WAIT, "the newest price");
        Thread.sleep(100);
        for (String room : rooms) {
            assertIncreasing(sink.seqs(room), room);
        }
        for (String room : List.of("orders:1", "orders:2")) {
            assertThat(sink.counters(room)).as(room + ": every counter once, in order").isEqualTo(oneTo(perRoom));
        }
        // a conflate room keeps one message: the live stream may skip states it has not reached yet, never reorder
        assertIncreasing(sink.counters("price:BRK.B"), "price:BRK.B counters");
        assertThat(sink.overlapped).as("one room's events never concurrently").isFalse();
        // each event went out under the seq its publish was answered with
        Set<String> answered = new HashSet<>();
        acks.forEach(a -> answered.add(a.join().room() + "/" + a.join().seq()));
        Set<String> delivered = new HashSet<>();
        sink.events().forEach(e -> delivered.add(e.room() + "/" + e.seq()));
        assertThat(answered).containsAll(delivered);
        assertThat(sink.of("orders:1")).extracting(e -> e.room() + "/" + e.seq()).allMatch(answered::contains);
        assertThat(bus.streamGaps("orders")).as("the reliable stream skipped nothing").isZero();
    }

    @Test
    void twoNodesSeeTheSameEventsWithTheSameSeqAndEpochInTheSameOrder() throws Exception {
        NatsEventBus a = node();
        NatsEventBus b = node();
        RecordingSink sinkA = new RecordingSink();
        RecordingSink sinkB = new RecordingSink();
        a.start(sinkA);
        b.start(sinkB);
        int n = 150;
        List<CompletableFuture<EventBus.PublishResult>> acks = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            EventBus via = i % 2 == 0 ? a : b; // publishers on both nodes
            acks.add(via.publish("orders:42", counter(i), "p1-" + i).toCompletableFuture());
            acks.add(via.publish("orders:43", counter(i), "p1-" + i).toCompletableFuture());
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).join();
        for (RecordingSink s : List.of(sinkA, sinkB)) {
            s.awaitRoomCount("orders:42", n, WAIT);
            s.awaitRoomCount("orders:43", n, WAIT);
        }
        Thread.sleep(100);
        assertThat(sinkA.events()).extracting(BusEvent::room, BusEvent::seq, BusEvent::epoch)
                .isEqualTo(sinkB.events().stream()
                        .map(e -> org.assertj.core.groups.Tuple.tuple(e.room(), e.seq(), e.epoch())).toList());
        // two publishing connections: the stream's order between them is the server's, but every counter is there once
        assertThat(sinkA.counters("orders:42")).containsExactlyInAnyOrderElementsOf(oneTo(n));
        assertThat(sinkB.counters("orders:43")).containsExactlyInAnyOrderElementsOf(oneTo(n));
        assertIncreasing(sinkA.seqs("orders:42"), "orders:42");
        assertThat(a.epoch("orders")).isEqualTo(b.epoch("orders"));
    }

    // ---- position ----

    @Test
    void everyEventAfterTheReportedPositionReachesTheSinkAfterItAndNoneAtOrBefore() throws Exception {
        NatsEventBus bus = node();
        RecordingSink sink = new RecordingSink();
        bus.start(sink);
        String room = "orders:7";
        int n = 400;
        List<CompletableFuture<EventBus.PublishResult>> acks = new ArrayList<>();
        List<CompletableFuture<long[]>> positions = new ArrayList<>(); // {reported seq, sink size at completion}
        for (int i = 1; i <= n; i++) {
            acks.add(bus.publish(room, counter(i), null).toCompletableFuture());
            acks.add(bus.publish("orders:other", counter(i), null).toCompletableFuture());
            if (i % 20 == 0) {
                positions.add(bus.position(room).toCompletableFuture()
                        .thenApply(p -> new long[] {p.latestSeq(), sink.size()}));
            }
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).join();
        CompletableFuture.allOf(positions.toArray(CompletableFuture[]::new)).join();
        sink.awaitRoomCount(room, n, WAIT);
        sink.awaitRoomCount("orders:other", n, WAIT);
        List<BusEvent> all = sink.events();
        for (CompletableFuture<long[]> f : positions) {
            long seq = f.join()[0];
            int seenBefore = (int) f.join()[1];
            for (BusEvent e : all.subList(seenBefore, all.size())) {
                if (e.room().equals(room)) {
                    assertThat(e.seq()).as("delivered after position %d completed", seq).isGreaterThan(seq);
                }
            }
            // and every event at or below the position was delivered before it completed
            long atOrBelow = all.stream().filter(e -> e.room().equals(room) && e.seq() <= seq).count();
            long atOrBelowBefore = all.subList(0, seenBefore).stream()
                    .filter(e -> e.room().equals(room) && e.seq() <= seq).count();
            assertThat(atOrBelowBefore).isEqualTo(atOrBelow);
        }
        assertThat(sink.counters(room)).isEqualTo(oneTo(n));
        // history gives the same events as the live stream, to the millisecond
        assertThat(read(bus, room, 0, 10).events())
                .extracting(BusEvent::room, BusEvent::seq, BusEvent::epoch, BusEvent::timestampMillis, e -> new String(e.data()))
                .isEqualTo(sink.of(room).subList(0, 10).stream().map(e -> org.assertj.core.groups.Tuple.tuple(
                        e.room(), e.seq(), e.epoch(), e.timestampMillis(), new String(e.data()))).toList());
    }

    @Test
    void anEmptyRoomsPositionIsWhereItsNumberingContinuesAndAResumeFromThereIsComplete() {
        NatsEventBus bus = node();
        bus.start(new RecordingSink());
        EventBus.PublishResult before = publish(bus, "ledger:busy", counter(1), null);
        EventBus.RoomPosition empty = bus.position("ledger:new").toCompletableFuture().join();
        assertThat(empty.epoch()).isEqualTo(bus.epoch("ledger"));
        assertThat(empty.latestSeq()).as("the stream's last sequence").isEqualTo(before.seq());
        assertThat(read(bus, "ledger:new", empty.latestSeq(), 10).events()).isEmpty();

        EventBus.PublishResult fill = publish(bus, "ledger:new", counter(1), null);
        assertThat(fill.seq()).isGreaterThan(empty.latestSeq());
        EventBus.HistoryRead resume = read(bus, "ledger:new", empty.latestSeq(), 10);
        assertThat(resume.complete()).isTrue();
        assertThat(resume.events()).extracting(BusEvent::seq).containsExactly(fill.seq());
    }

    // ---- history ----

    @Test
    void readAfterPagesThroughARoomsHistory() {
        NatsEventBus bus = node();
        List<Long> seqs = new ArrayList<>();
        for (int i = 1; i <= 12; i++) {
            seqs.add(publish(bus, "ledger:A", counter(i), null).seq());
            publish(bus, "ledger:B", counter(i), null); // the stream's seqs are not the room's 1, 2, 3
        }
        long latest = seqs.get(11);
        String epoch = bus.epoch("ledger");

        EventBus.HistoryRead p1 = read(bus, "ledger:A", 0, 5);
        assertThat(counters(p1.events())).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(p1.events()).extracting(BusEvent::seq).isEqualTo(seqs.subList(0, 5));
        assertThat(p1.events()).allSatisfy(e -> {
            assertThat(e.room()).isEqualTo("ledger:A");
            assertThat(e.epoch()).isEqualTo(epoch);
            assertThat(e.timestampMillis()).isCloseTo(System.currentTimeMillis(), org.assertj.core.data.Offset.offset(60_000L));
        });
        assertThat(p1.complete()).isTrue();
        assertThat(p1.latestSeq()).isEqualTo(latest);
        assertThat(p1.storedAfter()).as("every stored event after 0, not only the page's").isEqualTo(12);
        assertThat(p1.epoch()).isEqualTo(epoch);

        EventBus.HistoryRead p2 = read(bus, "ledger:A", seqs.get(4), 5);
        assertThat(counters(p2.events())).containsExactly(6L, 7L, 8L, 9L, 10L);
        assertThat(p2.storedAfter()).isEqualTo(7);
        EventBus.HistoryRead p3 = read(bus, "ledger:A", seqs.get(9), 5);
        assertThat(counters(p3.events())).containsExactly(11L, 12L);
        assertThat(p3.storedAfter()).isEqualTo(2);
        assertThat(p3.complete()).isTrue();
        EventBus.HistoryRead p4 = read(bus, "ledger:A", latest, 5);
        assertThat(p4.events()).isEmpty();
        assertThat(p4.complete()).isTrue();
        assertThat(p4.latestSeq()).isEqualTo(latest);
        assertThat(p4.storedAfter()).isZero();

        EventBus.HistoryRead unknown = read(bus, "ledger:none", 0, 5);
        assertThat(unknown.events()).isEmpty();
        assertThat(unknown.complete()).isTrue();
        assertThat(unknown.latestSeq()).isZero();
    }

    @Test
    void aRoomWhoseOldestEventsWereDroppedByItsLimitReportsTheGap() {
        NatsEventBus bus = node();
        List<Long> seqs = new ArrayList<>();
        publish(bus, "trades:other", counter(1), null);
        for (int i = 1; i <= 8; i++) {
            seqs.add(publish(bus, "trades:ES", counter(i), null).seq()); // TRADES keeps 5 per room
            publish(bus, "trades:other", counter(i + 1), null);
        }
        EventBus.HistoryRead from0 = read(bus, "trades:ES", 0, 100);
        assertThat(from0.complete()).as("events 1..3 are gone: the caller resets").isFalse();
        assertThat(counters(from0.events())).containsExactly(4L, 5L, 6L, 7L, 8L);
        assertThat(from0.latestSeq()).isEqualTo(seqs.get(7));
        assertThat(from0.storedAfter()).isEqualTo(5);
        assertThat(read(bus, "trades:ES", seqs.get(1), 100).complete()).as("after event 2").isFalse();

        EventBus.HistoryRead after4 = read(bus, "trades:ES", seqs.get(3), 100);
        assertThat(after4.complete()).as("event 4 is still stored: nothing after it was dropped").isTrue();
        assertThat(counters(after4.events())).containsExactly(5L, 6L, 7L, 8L);
    }

    // ---- latest ----

    @Test
    void latestOfAConflateRoomIsItsNewestValue() {
        NatsEventBus bus = node();
        bus.start(new RecordingSink()); // position waits for the live stream, which only runs once started
        assertThat(bus.latest("price:AAPL").toCompletableFuture().join()).isNull();
        long t0 = System.currentTimeMillis();
        publish(bus, "price:AAPL", data("{\"bid\":1}"), null);
        publish(bus, "price:AAPL", data("{\"bid\":2}"), null);
        EventBus.PublishResult third = publish(bus, "price:AAPL", data("{\"bid\":3}"), null);
        BusEvent latest = bus.latest("price:AAPL").toCompletableFuture().join();
        assertThat(latest.room()).isEqualTo("price:AAPL");
        assertThat(latest.seq()).isEqualTo(third.seq());
        assertThat(latest.epoch()).isEqualTo(bus.epoch("price"));
        assertThat(latest.data()).isEqualTo(data("{\"bid\":3}"));
        assertThat(latest.timestampMillis()).isBetween(t0 - 5_000, System.currentTimeMillis() + 5_000);
        assertThat(bus.position("price:AAPL").toCompletableFuture().join().latestSeq()).isEqualTo(third.seq());
        assertThat(read(bus, "price:AAPL", 0, 10).events()).as("a conflate stream keeps one per room")
                .extracting(BusEvent::seq).containsExactly(third.seq());
    }

    // ---- subjects ----

    @Test
    @SuppressWarnings("try") // Connection.close may throw InterruptedException: fine in a test
    void aKeyWithADotTravelsAsOneEscapedTokenBothWays() throws Exception {
        NatsEventBus bus = node();
        RecordingSink sink = new RecordingSink();
        bus.start(sink);
        String subject = settings.subjectPrefix() + ".price.BRK%2EB";
        EventBus.PublishResult viaBus = publish(bus, "price:BRK.B", data("{\"bid\":1}"), null);

        try (Connection nc = Nats.connect(nats.url())) {
            MessageInfo stored = nc.jetStreamManagement().getLastMessage(bus.streamName("price"), subject);
            assertThat(stored.getSeq()).isEqualTo(viaBus.seq());
            assertThat(stored.getData()).isEqualTo(data("{\"bid\":1}"));

            // a service publishing straight to NATS, as documented
            JetStream js = nc.jetStream();
            PublishAck direct = js.publish(subject, data("{\"bid\":2}"), PublishOptions.builder()
                    .messageId("price:BRK.B/md-2").expectedStream(bus.streamName("price")).build());
            // messages that are not events: two key tokens, and data that is not JSON
            js.publish(settings.subjectPrefix() + ".price.BRK.B", data("{\"bid\":9}"));
            js.publish(settings.subjectPrefix() + ".price.BAD", data("not json"));
            PublishAck after = js.publish(subject, data("{\"bid\":3}"));

            sink.await(list -> list.stream().anyMatch(e -> e.seq() == after.getSeqno()), WAIT, "the last direct publish");
            assertThat(sink.events()).extracting(BusEvent::room, BusEvent::seq).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("price:BRK.B", viaBus.seq()),
                    org.assertj.core.groups.Tuple.tuple("price:BRK.B", direct.getSeqno()),
                    org.assertj.core.groups.Tuple.tuple("price:BRK.B", after.getSeqno()));
            assertThat(bus.skippedMessages()).isEqualTo(2);
            assertThat(bus.latest("price:BRK.B").toCompletableFuture().join().data()).isEqualTo(data("{\"bid\":3}"));
        }
    }

    // ---- outage ----

    @ParameterizedTest(name = "killed: {0}")
    @ValueSource(booleans = {false, true})
    void aStoppedServerFailsPublishesAtOnceAndAfterItsRestartTheSinkContinuesWithNothingSkippedOrDoubled(boolean kill)
            throws Exception {
        NatsEventBus bus = node();
        RecordingSink sink = new RecordingSink();
        bus.start(sink);
        String room = "orders:42";
        String epoch = bus.epoch("orders");
        int before = 50;
        for (int i = 1; i <= before; i++) {
            publish(bus, room, counter(i), "p1-" + i);
        }
        sink.awaitRoomCount(room, before, WAIT);
        EventBus.PublishResult last = publish(bus, room, counter(before), "p1-" + before);
        assertThat(last.duplicate()).isTrue();

        if (kill) {
            nats.kill(); // SIGKILL: whatever the server acknowledged is on its store
        } else {
            nats.stop();
        }
        awaitTrue(() -> !bus.ready(), "the bus notices the outage");
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> publish(bus, room, counter(before + 1), "p1-" + (before + 1)))
                .isInstanceOf(CompletionException.class).hasCauseInstanceOf(BusUnavailableException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("fails fast").isLessThan(Duration.ofMillis(500));
        assertThatThrownBy(() -> bus.position(room).toCompletableFuture().join())
                .hasCauseInstanceOf(BusUnavailableException.class);

        nats.start(); // same port, same store
        // a second node publishes from the moment the server is back: the first node's tail resumes behind them
        NatsEventBus other = node();
        int after = 50;
        for (int i = before + 1; i <= before + after; i++) {
            publishRetrying(other, room, i);
        }
        EventBus.PublishResult retried = publish(other, room, counter(before), "p1-" + before);
        assertThat(retried.duplicate()).as("msg_ids survive the restart").isTrue();
        assertThat(retried.seq()).isEqualTo(last.seq());

        sink.awaitRoomCount(room, before + after, WAIT);
        awaitTrue(bus::ready, "the bus is ready again");
        Thread.sleep(200);
        assertThat(sink.counters(room)).as("nothing skipped or doubled").isEqualTo(oneTo(before + after));
        assertIncreasing(sink.seqs(room), room);
        assertThat(sink.of(room)).extracting(BusEvent::epoch).containsOnly(epoch);
        assertThat(bus.epoch("orders")).as("same store, same stream, same epoch").isEqualTo(epoch);
        assertThat(publish(bus, room, counter(before + after + 1), null).seq()).isGreaterThan(sink.seqs(room).get(before + after - 1));
    }

    @Test
    void aStoreLostDuringAnOutageIsANewHistoryUnderANewEpoch() throws Exception {
        NatsEventBus bus = node();
        RecordingSink sink = new RecordingSink();
        bus.start(sink);
        String room = "orders:9";
        for (int i = 1; i <= 5; i++) {
            publish(bus, room, counter(i), "p1-" + i);
        }
        sink.awaitRoomCount(room, 5, WAIT);
        String before = bus.epoch("orders");

        nats.stop();
        nats.wipeStore();
        nats.start();
        awaitTrue(bus::ready, "the bus recovers, recreating its streams");
        String after = bus.epoch("orders");
        assertThat(after).as("a recreated stream is another history").isNotEqualTo(before);
        EventBus.PublishResult r = publish(bus, room, counter(6), "p1-6");
        assertThat(r).isEqualTo(new EventBus.PublishResult(room, 1, after, false));
        sink.awaitRoomCount(room, 6, WAIT);
        assertThat(sink.of(room).get(5)).extracting(BusEvent::seq, BusEvent::epoch).containsExactly(1L, after);
        assertThat(sink.of(room).subList(0, 5)).extracting(BusEvent::epoch).containsOnly(before);
        assertThat(bus.position(room).toCompletableFuture().join()).isEqualTo(new EventBus.RoomPosition(after, 1));
    }

    // ---- bounded reads ----

    @Test
    void readsBeyondThePoolAndItsQueueFailAtOnceWithBusUnavailable() {
        settings = settings.withHistoryLimits(1, 1);
        NatsEventBus bus = node();
        for (int i = 1; i <= 10; i++) {
            publish(bus, "ledger:R", counter(i), null);
        }
        List<CompletableFuture<EventBus.HistoryRead>> reads = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            reads.add(bus.readAfter("ledger:R", 0, 10).toCompletableFuture()); // a dozen requests each
        }
        int ok = 0;
        int refused = 0;
        for (CompletableFuture<EventBus.HistoryRead> f : reads) {
            try {
                assertThat(counters(f.join().events())).isEqualTo(oneTo(10));
                ok++;
            } catch (CompletionException e) {
                assertThat(e.getCause()).isInstanceOf(BusUnavailableException.class);
                refused++;
            }
        }
        assertThat(ok).as("one in flight and one waiting at least").isGreaterThanOrEqualTo(2);
        assertThat(refused).as("the rest refused, not queued").isPositive();
        assertThat(bus.rejectedReads()).isEqualTo(refused);
    }

    static void publishRetrying(EventBus bus, String room, long n) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                publish(bus, room, counter(n), "p1-" + n);
                return;
            } catch (CompletionException e) {
                if (!(e.getCause() instanceof BusUnavailableException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    static void awaitTrue(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out: " + what);
            }
            Thread.sleep(10);
        }
    }
}
