package io.tickwire.gateway.room;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.UnpooledByteBufAllocator;
import io.tickwire.gateway.bus.BusEvent;
import io.tickwire.gateway.config.GatewayConfig.Access;
import io.tickwire.gateway.config.GatewayConfig.Delivery;
import io.tickwire.gateway.config.GatewayConfig.Kind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One room's ring, coverage, position, epochs, subscribers and retirement. */
class RoomTest {

    static final Kind RELIABLE = new Kind("account", Access.GRANTED, Delivery.RELIABLE, 1000, 0, 100, 60);
    static final Kind CONFLATE = new Kind("price", Access.AUTHENTICATED, Delivery.CONFLATE, 1, 0, 100, 300);
    static final long T0 = 1_000_000L;

    private final FrameEncoder encoder = new FrameEncoder(UnpooledByteBufAllocator.DEFAULT);
    /** Our own extra references to appended events, released after each test. */
    private final List<EncodedEvent> held = new ArrayList<>();
    private final List<Room> rooms = new ArrayList<>();

    @AfterEach
    void releaseEverything() {
        rooms.forEach(Room::retire);
        for (EncodedEvent e : held) {
            if (e.refCnt() > 0) {
                e.release(e.refCnt());
            }
        }
    }

    private Room room(Kind kind, int ring) {
        Room r = new Room(kind.name() + ":1", kind, ring, 2, T0);
        rooms.add(r);
        return r;
    }

    private EncodedEvent event(String epoch, long seq) {
        byte[] data = ("{\"seq\":" + seq + "}").getBytes(StandardCharsets.UTF_8);
        return encoder.event(new BusEvent("account:1", seq, epoch, T0 + seq, data));
    }

    /** Appends an event, keeping one extra reference of our own to check what the room released. */
    private EncodedEvent append(Room room, String epoch, long seq) {
        EncodedEvent e = event(epoch, seq);
        held.add(e.retain());
        assertThat(room.append(e, T0)).isTrue();
        return e;
    }

    /** The seq of what {@code after} returns (NOT_COVERED is -1, none is 0), releasing what it retained. */
    private static long afterSeq(Room room, long seq) {
        EncodedEvent e = room.after(seq);
        if (e == null) {
            return 0;
        }
        if (e == Room.NOT_COVERED) {
            return -1;
        }
        try {
            return e.seq();
        } finally {
            e.release();
        }
    }

    private static long positionSeq(Room room) {
        Room.Position p = room.position();
        if (p.latest() != null) {
            p.latest().release();
        }
        return p.seq();
    }

    // ---- warming ----

    @Test
    void aRoomCoversNothingUntilWarmed() {
        Room room = room(RELIABLE, 4);
        assertThat(room.whenWarm()).isNotDone();
        assertThat(room.after(0)).isSameAs(Room.NOT_COVERED);
        assertThat(room.after(Long.MAX_VALUE - 1)).isSameAs(Room.NOT_COVERED);
        room.warmed("E", 0, null);
        assertThat(room.whenWarm()).isCompletedWithValue(room);
        assertThat(room.after(0)).isNull();
        Room.Position p = room.position();
        assertThat(p).isEqualTo(new Room.Position("E", 0, null));
    }

    @Test
    void warmedAtAPositionCoversEverythingAfterIt() {
        Room room = room(RELIABLE, 4);
        room.warmed("E", 10, null);
        assertThat(positionSeq(room)).isEqualTo(10);
        assertThat(afterSeq(room, 9)).isEqualTo(-1);
        assertThat(afterSeq(room, 10)).isZero();
        append(room, "E", 11);
        assertThat(afterSeq(room, 10)).isEqualTo(11);
        assertThat(afterSeq(room, 11)).isZero();
        assertThat(afterSeq(room, 9)).isEqualTo(-1);
    }

    @Test
    void warmedConflateRoomHoldsTheLatestEventAndTakesItsOwnReference() {
        Room room = room(CONFLATE, 1);
        EncodedEvent latest = event("E", 7);
        room.warmed("E", 7, latest);
        assertThat(latest.refCnt()).isEqualTo(2);
        latest.release();
        Room.Position p = room.position();
        try {
            assertThat(p.epoch()).isEqualTo("E");
            assertThat(p.seq()).isEqualTo(7);
            assertThat(p.latest()).isSameAs(latest);
            assertThat(p.latest().dataCopy()).isEqualTo("{\"seq\":7}".getBytes(StandardCharsets.UTF_8));
        } finally {
            p.latest().release();
        }
        room.retire();
        assertThat(latest.refCnt()).isZero();
    }

    @Test
    void liveEventsBeforeWarmingAreKept() {
        Room room = room(RELIABLE, 4);
        append(room, "E", 6);
        append(room, "E", 7);
        room.warmed("E", 5, null); // the bus's view, taken after the room began receiving live events
        assertThat(positionSeq(room)).isEqualTo(7);
        assertThat(afterSeq(room, 5)).isEqualTo(6);
        assertThat(afterSeq(room, 6)).isEqualTo(7);
        assertThat(afterSeq(room, 4)).isEqualTo(-1);
    }

    /**
     * If the ring overflows before the bus's position arrives (a busy room on an asynchronous bus), the events
     * between the warmed position and the oldest one still in the ring are gone: the ring must not claim to
     * cover them, or a subscriber catching up from the warmed position silently skips them.
     */
    @Test
    void aRingThatOverflowedBeforeWarmingDoesNotClaimTheEventsItDropped() {
        Room room = room(RELIABLE, 2);
        append(room, "E", 6);
        append(room, "E", 7);
        append(room, "E", 8); // drops 6
        room.warmed("E", 5, null);
        assertThat(afterSeq(room, 6)).isEqualTo(7);
        assertThat(afterSeq(room, 5)).as("the event after 5 (6) is no longer in the ring").isEqualTo(-1);
    }

    // ---- the ring ----

    @Test
    void ringEvictionAdvancesCoverageAndReleasesTheEvicted() {
        Room room = room(RELIABLE, 3);
        room.warmed("E", 0, null);
        List<EncodedEvent> events = new ArrayList<>();
        for (long s = 1; s <= 5; s++) {
            events.add(append(room, "E", s));
        }
        // the ring holds 3, 4, 5
        assertThat(afterSeq(room, 0)).isEqualTo(-1);
        assertThat(afterSeq(room, 1)).isEqualTo(-1);
        assertThat(afterSeq(room, 2)).isEqualTo(3);
        assertThat(afterSeq(room, 3)).isEqualTo(4);
        assertThat(afterSeq(room, 4)).isEqualTo(5);
        assertThat(afterSeq(room, 5)).isZero();
        assertThat(afterSeq(room, 99)).isZero();
        // the room released its references to 1 and 2 only
        assertThat(events.get(0).refCnt()).isEqualTo(1);
        assertThat(events.get(1).refCnt()).isEqualTo(1);
        assertThat(events.get(2).refCnt()).isEqualTo(2);
        assertThat(events.get(4).refCnt()).isEqualTo(2);
    }

    @Test
    void afterReturnsARetainedReference() {
        Room room = room(RELIABLE, 3);
        room.warmed("E", 0, null);
        EncodedEvent e1 = append(room, "E", 1);
        EncodedEvent got = room.after(0);
        assertThat(got).isSameAs(e1);
        assertThat(e1.refCnt()).isEqualTo(3); // ours, the ring's, the reader's
        got.release();
        assertThat(e1.refCnt()).isEqualTo(2);
    }

    @Test
    void ringWithGapsInSeq() {
        Room room = room(RELIABLE, 2);
        room.warmed("E", 0, null);
        append(room, "E", 10);
        append(room, "E", 20);
        append(room, "E", 30); // drops 10
        assertThat(afterSeq(room, 9)).isEqualTo(-1);
        assertThat(afterSeq(room, 10)).isEqualTo(20);
        assertThat(afterSeq(room, 15)).isEqualTo(20);
        assertThat(afterSeq(room, 20)).isEqualTo(30);
        assertThat(afterSeq(room, 25)).isEqualTo(30);
        assertThat(afterSeq(room, 30)).isZero();
    }

    @Test
    void afterOverAFullRingThatWrapped() {
        Room room = room(RELIABLE, 7);
        room.warmed("E", 0, null);
        for (long s = 1; s <= 40; s++) {
            append(room, "E", s);
            for (long q = Math.max(0, s - 10); q <= s; q++) {
                long expected = q < s - 7 ? -1 : q == s ? 0 : q + 1;
                assertThat(afterSeq(room, q)).as("after %d with %d appended", q, s).isEqualTo(expected);
            }
        }
    }

    @Test
    void positionIsTheLatestRetained() {
        Room room = room(RELIABLE, 3);
        room.warmed("E", 0, null);
        append(room, "E", 1);
        EncodedEvent e2 = append(room, "E", 2);
        Room.Position p = room.position();
        assertThat(p.epoch()).isEqualTo("E");
        assertThat(p.seq()).isEqualTo(2);
        assertThat(p.latest()).isSameAs(e2);
        assertThat(e2.refCnt()).isEqualTo(3);
        p.latest().release();
        assertThat(e2.refCnt()).isEqualTo(2);
    }

    @Test
    void conflateRingKeepsOnlyTheNewest() {
        Room room = room(CONFLATE, 1);
        room.warmed("E", 0, null);
        EncodedEvent e1 = append(room, "E", 1);
        EncodedEvent e2 = append(room, "E", 2);
        assertThat(e1.refCnt()).isEqualTo(1);
        Room.Position p = room.position();
        assertThat(p.latest()).isSameAs(e2);
        p.latest().release();
        assertThat(afterSeq(room, 1)).isEqualTo(2);
        assertThat(afterSeq(room, 0)).isEqualTo(-1);
        assertThat(room.conflate()).isTrue();
    }

    // ---- epochs ----

    @Test
    void anEventOfAnotherEpochClearsTheRing() {
        Room room = room(RELIABLE, 4);
        room.warmed("A", 0, null);
        EncodedEvent a4 = append(room, "A", 4);
        EncodedEvent a5 = append(room, "A", 5);
        EncodedEvent b1 = append(room, "B", 1);
        assertThat(a4.refCnt()).isEqualTo(1);
        assertThat(a5.refCnt()).isEqualTo(1);
        Room.Position p = room.position();
        try {
            assertThat(p.epoch()).isEqualTo("B");
            assertThat(p.seq()).isEqualTo(1); // not 5: seqs of epoch A mean nothing in B
            assertThat(p.latest()).isSameAs(b1);
        } finally {
            p.latest().release();
        }
        assertThat(afterSeq(room, 0)).isEqualTo(1);
        assertThat(afterSeq(room, 1)).isZero();
        EncodedEvent b2 = append(room, "B", 2);
        assertThat(afterSeq(room, 1)).isEqualTo(2);
        assertThat(b2.refCnt()).isEqualTo(2);
    }

    // ---- subscribers and retirement ----

    @Test
    void subscribersPerLoop() {
        Room room = room(RELIABLE, 4);
        RoomSubscriber s1 = new IdleSubscriber();
        RoomSubscriber s2 = new IdleSubscriber();
        RoomSubscriber s3 = new IdleSubscriber();
        assertThat(room.addSubscriber(0, s1)).isTrue();
        assertThat(room.addSubscriber(1, s2)).isTrue();
        assertThat(room.addSubscriber(1, s3)).isTrue();
        assertThat(room.subscriberCount()).isEqualTo(3);
        assertThat(room.subscribersOn(0).members()).containsExactly(s1);
        assertThat(room.subscribersOn(1).members()).containsExactly(s2, s3);
        assertThat(room.subscribersOn(1).count()).isEqualTo(2);
        RoomSubscriber[] before = room.subscribersOn(1).members();
        room.removeSubscriber(1, s2, T0);
        assertThat(before).containsExactly(s2, s3); // the old array is never changed in place
        assertThat(room.subscribersOn(1).members()).containsExactly(s3);
        room.removeSubscriber(1, s2, T0); // not a member: no change
        room.removeSubscriber(0, s3, T0); // member of another loop: no change
        assertThat(room.subscriberCount()).isEqualTo(2);
    }

    @Test
    void retiresOnlyWhenIdleAndWithoutSubscribers() {
        Room room = room(RELIABLE, 4);
        long idle = 60_000;
        assertThat(room.retireIfIdle(T0 + idle - 1, idle)).isFalse();
        RoomSubscriber s = new IdleSubscriber();
        room.addSubscriber(0, s);
        assertThat(room.retireIfIdle(T0 + 10 * idle, idle)).isFalse();
        room.removeSubscriber(0, s, T0 + 10 * idle); // leaving counts as activity
        assertThat(room.retireIfIdle(T0 + 11 * idle - 1, idle)).isFalse();
        assertThat(room.retireIfIdle(T0 + 11 * idle, idle)).isTrue();
        assertThat(room.retireIfIdle(T0 + 20 * idle, idle)).isFalse(); // already retired
    }

    @Test
    void eventsDoNotKeepARoomWithoutSubscribersAlive() {
        Room room = room(RELIABLE, 4);
        room.warmed("E", 0, null);
        EncodedEvent e = event("E", 1);
        held.add(e.retain());
        room.append(e, T0 + 50_000);
        assertThat(room.retireIfIdle(T0 + 59_000, 60_000)).isFalse();
        assertThat(room.retireIfIdle(T0 + 60_000, 60_000)).as("idle since creation, events or not").isTrue();
    }

    @Test
    void idleTimeCountsFromTheLastSubscriberLeaving() {
        Room room = room(RELIABLE, 4);
        room.warmed("E", 0, null);
        RoomSubscriber s = new IdleSubscriber();
        room.addSubscriber(0, s);
        assertThat(room.retireIfIdle(T0 + 500_000, 60_000)).isFalse();
        room.removeSubscriber(0, s, T0 + 500_000);
        assertThat(room.retireIfIdle(T0 + 559_000, 60_000)).isFalse();
        assertThat(room.retireIfIdle(T0 + 560_000, 60_000)).isTrue();
    }

    @Test
    void theRingIsBoundedInBytesAndKeepsItsNewestEvent() {
        Room room = room(RELIABLE, 512);
        room.warmed("E", 0, null);
        int frames = (int) (Room.RING_MAX_BYTES / (48 * 1024)) + 10; // ~48 KiB frames, past the byte bound
        for (int seq = 1; seq <= frames; seq++) {
            EncodedEvent big = new EncodedEvent("E", seq,
                    io.netty.buffer.Unpooled.directBuffer(48 * 1024).writeZero(48 * 1024), 0, 0);
            room.append(big, T0);
        }
        assertThat(room.after(0)).as("the oldest left the ring").isSameAs(Room.NOT_COVERED);
        Room.Position pos = room.position();
        assertThat(pos.latest().seq()).isEqualTo(frames);
        pos.latest().release();
        room.retire();
    }

    @Test
    void aRetiredRoomReleasesItsRingAndRefusesEventsAndSubscribers() {
        Room room = room(RELIABLE, 4);
        room.warmed("E", 0, null);
        EncodedEvent e1 = append(room, "E", 1);
        room.retire();
        assertThat(e1.refCnt()).isEqualTo(1);
        EncodedEvent e2 = event("E", 2);
        assertThat(room.append(e2, T0)).isFalse();
        assertThat(e2.refCnt()).as("the caller keeps its reference").isEqualTo(1);
        e2.release();
        assertThat(room.addSubscriber(0, new IdleSubscriber())).isFalse();
        assertThat(room.subscriberCount()).isZero();
    }

    @Test
    void warmingARetiredRoomKeepsNothing() {
        Room room = room(CONFLATE, 1);
        room.retire();
        EncodedEvent latest = event("E", 3);
        room.warmed("E", 3, latest);
        assertThat(latest.refCnt()).isEqualTo(1);
        latest.release();
        assertThat(room.whenWarm()).isDone();
    }

    @Test
    void historyFramesAreEncodedOnceSharedByReadersBoundedAndReleasedWithTheRoom() {
        Room room = room(RELIABLE, 4);
        append(room, "e1", 1000); // the room's epoch
        byte[] pad = ("{\"pad\":\"" + "x".repeat(1000) + "\"}").getBytes(StandardCharsets.UTF_8);
        BusEvent old = new BusEvent("account:1", 10, "e1", T0, pad);
        EncodedEvent first = room.historyFrame(old, encoder);
        EncodedEvent second = room.historyFrame(old, encoder);
        assertThat(second).as("the second reader shares the first's frame").isSameAs(first);
        assertThat(first.refCnt()).as("two readers and the room").isEqualTo(3);
        first.release();
        second.release();

        // bounded: far more than the bound read through, the oldest dropped (and released) first
        for (long seq = 11; seq < 11 + 3 * Room.HISTORY_FRAMES_MAX_BYTES / 1000; seq++) {
            room.historyFrame(new BusEvent("account:1", seq, "e1", T0, pad), encoder).release();
        }
        assertThat(room.historyFramesBytes()).isLessThanOrEqualTo(Room.HISTORY_FRAMES_MAX_BYTES);
        assertThat(first.refCnt()).as("dropped from the room").isZero();

        // another epoch's event with the same seq is not taken for it
        EncodedEvent other = room.historyFrame(new BusEvent("account:1", 20, "e0", T0, pad), encoder);
        assertThat(other.epoch()).isEqualTo("e0");
        assertThat(other.refCnt()).as("not kept: not this room's epoch").isEqualTo(1);
        other.release();

        EncodedEvent kept = room.historyFrame(new BusEvent("account:1", 5000, "e1", T0, pad), encoder);
        room.retire();
        assertThat(kept.refCnt()).as("the room let go of it when retired").isEqualTo(1);
        assertThat(room.historyFramesBytes()).isZero();
        kept.release();
    }
}
