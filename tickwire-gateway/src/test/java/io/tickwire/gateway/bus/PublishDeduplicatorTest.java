package io.tickwire.gateway.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Idempotent publishing by msg_id: a time window, a bound on entries (oldest out first), keys per room. */
class PublishDeduplicatorTest {

    private static final long WINDOW = 1000;

    private final AtomicLong nextSeq = new AtomicLong();
    private final AtomicInteger publishes = new AtomicInteger();

    /** A publish that numbers events 1, 2, 3… and counts how often it ran. */
    private Supplier<EventBus.PublishResult> publisher(String room) {
        return () -> {
            publishes.incrementAndGet();
            return new EventBus.PublishResult(room, nextSeq.incrementAndGet(), "e", false);
        };
    }

    private EventBus.PublishResult once(PublishDeduplicator d, String room, String msgId, long now) {
        return d.publishOnce(room, msgId, now, publisher(room));
    }

    @Test
    void aRepeatWithinTheWindowReturnsTheOriginalAsDuplicate() {
        PublishDeduplicator d = new PublishDeduplicator(100, WINDOW);
        EventBus.PublishResult first = once(d, "a:1", "m", 0);
        EventBus.PublishResult again = once(d, "a:1", "m", 500);
        assertThat(first).isEqualTo(new EventBus.PublishResult("a:1", 1, "e", false));
        assertThat(again).isEqualTo(new EventBus.PublishResult("a:1", 1, "e", true));
        assertThat(publishes).hasValue(1);
    }

    @Test
    void aRepeatAtExactlyTheWindowIsStillADuplicateAndOneMillisecondLaterIsNot() {
        PublishDeduplicator d = new PublishDeduplicator(100, WINDOW);
        once(d, "a:1", "m", 0);
        assertThat(once(d, "a:1", "m", WINDOW).duplicate()).isTrue();
        EventBus.PublishResult later = once(d, "a:1", "m", WINDOW + 1);
        assertThat(later.duplicate()).isFalse();
        assertThat(later.seq()).isEqualTo(2);
        assertThat(publishes).hasValue(2);
    }

    @Test
    void aRepublishAfterTheWindowStartsANewWindowWithTheNewResult() {
        PublishDeduplicator d = new PublishDeduplicator(100, WINDOW);
        once(d, "a:1", "m", 0);
        once(d, "a:1", "m", WINDOW + 1);
        EventBus.PublishResult dup = once(d, "a:1", "m", 2 * WINDOW);
        assertThat(dup.duplicate()).isTrue();
        assertThat(dup.seq()).isEqualTo(2);
        assertThat(publishes).hasValue(2);
    }

    @Test
    void aDuplicateDoesNotExtendTheWindow() {
        PublishDeduplicator d = new PublishDeduplicator(100, WINDOW);
        once(d, "a:1", "m", 0);
        assertThat(once(d, "a:1", "m", 900).duplicate()).isTrue();
        assertThat(once(d, "a:1", "m", WINDOW + 1).duplicate()).isFalse();
    }

    @Test
    void keysArePerRoomAndPerMsgId() {
        PublishDeduplicator d = new PublishDeduplicator(100, WINDOW);
        assertThat(once(d, "a:1", "m", 0).seq()).isEqualTo(1);
        assertThat(once(d, "a:2", "m", 0).seq()).isEqualTo(2);
        assertThat(once(d, "a:1", "n", 0).seq()).isEqualTo(3);
        assertThat(once(d, "a:2", "m", 1).seq()).isEqualTo(2);
        assertThat(once(d, "a:1", "m", 1).seq()).isEqualTo(1);
        assertThat(publishes).hasValue(3);
    }

    @Test
    void keysDoNotCollideAcrossTheSeparator() {
        PublishDeduplicator d = new PublishDeduplicator(100, WINDOW);
        once(d, "a:1", "x", 0);
        assertThat(once(d, "a:1x", "", 0).duplicate()).isFalse();
        assertThat(once(d, "a:", "1\nx", 0).duplicate()).isFalse();
    }

    @Test
    void theBoundEvictsTheOldestEntryFirst() {
        PublishDeduplicator d = new PublishDeduplicator(2, WINDOW);
        once(d, "r:1", "a", 0);
        once(d, "r:1", "b", 1);
        once(d, "r:1", "c", 2); // evicts a
        assertThat(publishes).hasValue(3);
        assertThat(once(d, "r:1", "c", 3).duplicate()).isTrue();
        assertThat(once(d, "r:1", "b", 3).duplicate()).isTrue();
        assertThat(publishes).hasValue(3);
        EventBus.PublishResult a = once(d, "r:1", "a", 3); // within its window, but forgotten: publishes again
        assertThat(a.duplicate()).isFalse();
        assertThat(a.seq()).isEqualTo(4);
        // a's return evicted the oldest remaining entry, b
        assertThat(once(d, "r:1", "c", 4).duplicate()).isTrue();
        assertThat(once(d, "r:1", "b", 4).duplicate()).isFalse();
    }

    @Test
    void theBoundHoldsUnderManyKeys() {
        PublishDeduplicator d = new PublishDeduplicator(10, WINDOW);
        for (int i = 0; i < 1000; i++) {
            once(d, "r:1", "m" + i, i % WINDOW);
        }
        assertThat(publishes).hasValue(1000);
        // the newest 10 are remembered, everything older is not
        for (int i = 990; i < 1000; i++) {
            assertThat(once(d, "r:1", "m" + i, 999).duplicate()).as("m%d", i).isTrue();
        }
        assertThat(publishes).hasValue(1000);
        assertThat(once(d, "r:1", "m989", 999).duplicate()).isFalse();
    }

    @Test
    void expireDropsEntriesOlderThanTheWindowOnly() {
        PublishDeduplicator d = new PublishDeduplicator(100, WINDOW);
        once(d, "r:1", "old", 0);
        once(d, "r:1", "edge", 500);
        once(d, "r:1", "new", 900);
        d.expire(1500); // old is 1500 ms old: gone; edge is exactly WINDOW old: kept
        // probe with a time inside every original window, so only removal can make a publish run again
        assertThat(once(d, "r:1", "new", 950).duplicate()).isTrue();
        assertThat(once(d, "r:1", "edge", 950).duplicate()).isTrue();
        assertThat(once(d, "r:1", "old", 950).duplicate()).isFalse();
    }

    @Test
    void expireOfEverything() {
        PublishDeduplicator d = new PublishDeduplicator(100, WINDOW);
        for (int i = 0; i < 50; i++) {
            once(d, "r:1", "m" + i, i);
        }
        d.expire(10_000);
        for (int i = 0; i < 50; i++) {
            assertThat(once(d, "r:1", "m" + i, 60).duplicate()).isFalse();
        }
    }

    @Test
    void aFailedPublishIsNotRemembered() {
        PublishDeduplicator d = new PublishDeduplicator(100, WINDOW);
        assertThatThrownBy(() -> d.publishOnce("r:1", "m", 0, () -> {
            throw new BusUnavailableException("down");
        })).isInstanceOf(BusUnavailableException.class);
        EventBus.PublishResult retry = once(d, "r:1", "m", 1);
        assertThat(retry.duplicate()).isFalse();
        assertThat(publishes).hasValue(1);
    }

    @Test
    void concurrentRepeatsPublishOnce() throws Exception {
        PublishDeduplicator d = new PublishDeduplicator(1000, WINDOW);
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<List<EventBus.PublishResult>>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            results.add(pool.submit(() -> {
                go.await();
                List<EventBus.PublishResult> out = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    out.add(once(d, "r:1", "m" + i, 10));
                }
                return out;
            }));
        }
        go.countDown();
        List<List<EventBus.PublishResult>> all = new ArrayList<>();
        for (Future<List<EventBus.PublishResult>> f : results) {
            all.add(f.get(30, TimeUnit.SECONDS));
        }
        pool.shutdown();
        assertThat(publishes).hasValue(200);
        for (int i = 0; i < 200; i++) {
            long seq = all.get(0).get(i).seq();
            int originals = 0;
            for (List<EventBus.PublishResult> l : all) {
                assertThat(l.get(i).seq()).isEqualTo(seq);
                originals += l.get(i).duplicate() ? 0 : 1;
            }
            assertThat(originals).isEqualTo(1);
        }
    }
}
