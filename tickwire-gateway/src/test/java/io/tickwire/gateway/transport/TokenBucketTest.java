package io.tickwire.gateway.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The handshake token buckets on a clock of the test's own: the node's (lock-free) and the per-address table. */
class TokenBucketTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void aBurstThenTheRateAndTheWaitUntilTheNextToken() {
        TokenBucket b = new TokenBucket(10, 5); // one token per 100 ms
        for (int i = 0; i < 5; i++) {
            assertThat(b.take(0)).as("take %d", i).isZero();
        }
        assertThat(b.take(0)).isEqualTo(SECOND / 10);
        assertThat(b.take(40_000_000)).isEqualTo(60_000_000);
        assertThat(b.take(100_000_000)).isZero();
        assertThat(b.take(100_000_000)).isEqualTo(SECOND / 10);
        // a refusal takes nothing: after a long pause the whole burst is back, and no more
        long later = 10 * SECOND;
        for (int i = 0; i < 5; i++) {
            assertThat(b.take(later)).isZero();
        }
        assertThat(b.take(later)).isPositive();
    }

    @Test
    void retryAfterIsWholeSecondsRoundedUpAndAtLeastOne() {
        assertThat(TokenBucket.retryAfterSeconds(1)).isEqualTo(1);
        assertThat(TokenBucket.retryAfterSeconds(SECOND)).isEqualTo(1);
        assertThat(TokenBucket.retryAfterSeconds(SECOND + 1)).isEqualTo(2);
        assertThat(TokenBucket.retryAfterSeconds(Long.MAX_VALUE / 2)).isEqualTo(3600);
    }

    @Test
    void threadsRacingForOneBucketGetExactlyItsBurst() throws Exception {
        TokenBucket b = new TokenBucket(1, 1000);
        AtomicInteger admitted = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread th = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 5_000; i++) {
                    if (b.take(5) == 0) { // the clock stands still: no refill
                        admitted.incrementAndGet();
                    }
                }
            });
            th.start();
            threads.add(th);
        }
        start.countDown();
        for (Thread th : threads) {
            th.join(10_000);
        }
        assertThat(admitted.get()).isEqualTo(1000);
    }

    @Test
    void argumentsAreChecked() {
        assertThatThrownBy(() -> new TokenBucket(0, 1)).hasMessageContaining("perSecond");
        assertThatThrownBy(() -> new TokenBucket(1, 0)).hasMessageContaining("burst");
        assertThatThrownBy(() -> new AddressBuckets(1, 1, 12)).hasMessageContaining("capacity");
    }

    @Test
    void eachAddressHasItsOwnBucket() {
        AddressBuckets a = new AddressBuckets(1, 2, AddressBuckets.DEFAULT_CAPACITY);
        assertThat(a.take(1, 0)).isZero();
        assertThat(a.take(1, 0)).isZero();
        assertThat(a.take(1, 0)).isEqualTo(SECOND);
        assertThat(a.take(2, 0)).isZero();
        assertThat(a.take(1, SECOND)).isZero();
        assertThat(a.take(1, SECOND)).isPositive();
        assertThat(a.busy(SECOND - 1)).isEqualTo(2);
        assertThat(a.busy(SECOND)).as("key 2's one token is back").isEqualTo(1);
        assertThat(a.busy(10 * SECOND)).as("full buckets mean nothing").isZero();
    }

    @Test
    void theTableStaysItsSizeAndForgetsTheLeastLimitedFirst() {
        AddressBuckets a = new AddressBuckets(1, 3, AddressBuckets.WAYS); // one set of 8 slots
        for (long key = 1; key <= 8; key++) {
            a.take(key, 0); // busy, two tokens left
        }
        for (int i = 0; i < 3; i++) {
            a.take(9, 0); // key 9 empties its bucket: evicts one of the others
        }
        assertThat(a.take(9, 0)).as("the new entry is kept and limited").isPositive();
        assertThat(a.busy(0)).isEqualTo(8);

        // a million addresses later the table still holds at most its size
        AddressBuckets big = new AddressBuckets(1, 1, 1024);
        for (long key = 0; key < 1_000_000; key++) {
            big.take(key, 0);
        }
        assertThat(big.busy(0)).isEqualTo(1024);
        // and an address seen under that load is limited while its entry is kept
        assertThat(big.take(999_999, 0)).isPositive();
    }
}
