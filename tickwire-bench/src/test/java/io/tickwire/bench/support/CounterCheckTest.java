package io.tickwire.bench.support;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CounterCheckTest {

    private static CounterCheck fed(long... counters) {
        CounterCheck check = new CounterCheck();
        for (long c : counters) {
            check.accept(c);
        }
        return check;
    }

    @Test
    void anUnbrokenRunIsClean() {
        CounterCheck check = fed(1, 2, 3, 4, 5);
        assertThat(check.missing(5)).isZero();
        assertThat(check.duplicated()).isZero();
        assertThat(check.reordered()).isZero();
        assertThat(check.skipped()).isZero();
        assertThat(check.last()).isEqualTo(5);
    }

    @Test
    void aGapAndAMissingTailCountAsMissing() {
        CounterCheck check = fed(1, 2, 5, 6);
        assertThat(check.skipped()).isEqualTo(2);
        assertThat(check.missing(8)).isEqualTo(4); // 3, 4, 7, 8
    }

    @Test
    void aRepeatIsADuplicateAndNotADelivery() {
        CounterCheck check = fed(1, 2, 2, 3);
        assertThat(check.duplicated()).isEqualTo(1);
        assertThat(check.missing(3)).isZero();
    }

    @Test
    void anEarlierCounterAfterALaterOneIsReordered() {
        CounterCheck check = fed(1, 3, 2, 4);
        assertThat(check.reordered()).isEqualTo(1);
        assertThat(check.duplicated()).isZero();
        assertThat(check.missing(4)).isZero(); // everything came, out of order
    }

    @Test
    void conflationShowsAsSkips() {
        CounterCheck check = fed(1, 4, 9, 10);
        assertThat(check.skipped()).isEqualTo(6);
        assertThat(check.received()).isEqualTo(4);
        assertThat(check.reordered()).isZero();
    }
}
