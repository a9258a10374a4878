package io.tickwire.bench.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private final Backoff backoff = new Backoff(250, 30_000, 2.0);

    @Test
    void ceilingsDoubleFromTwiceTheMinimumUpToTheMaximum() {
        assertThat(backoff.ceilingMillis(0)).isEqualTo(500);
        assertThat(backoff.ceilingMillis(1)).isEqualTo(1000);
        assertThat(backoff.ceilingMillis(5)).isEqualTo(16_000);
        assertThat(backoff.ceilingMillis(6)).isEqualTo(30_000);
        assertThat(backoff.ceilingMillis(1000)).isEqualTo(30_000); // no overflow
    }

    @Test
    void everyDelayLiesBetweenTheMinimumAndItsCeilingAndFillsTheRange() {
        SplittableRandom random = new SplittableRandom(42);
        for (int attempt = 0; attempt < 12; attempt++) {
            long ceiling = backoff.ceilingMillis(attempt);
            long lowest = Long.MAX_VALUE;
            long highest = 0;
            for (int i = 0; i < 2000; i++) {
                long d = backoff.delayMillis(attempt, random);
                assertThat(d).isBetween(250L, ceiling);
                lowest = Math.min(lowest, d);
                highest = Math.max(highest, d);
            }
            // full jitter: the draws spread over the whole range, not around a midpoint
            long span = ceiling - 250;
            assertThat(lowest).isLessThanOrEqualTo(250 + span / 10);
            assertThat(highest).isGreaterThanOrEqualTo(ceiling - span / 10);
        }
    }

    @Test
    void theExtremesOfTheRandomSourceStayInBounds() {
        assertThat(backoff.delayMillis(3, new FixedRandom(0.0))).isEqualTo(250);
        assertThat(backoff.delayMillis(3, new FixedRandom(Math.nextDown(1.0)))).isEqualTo(4000);
    }

    @Test
    void badSettingsAreRefusedWithTheirName() {
        assertThatThrownBy(() -> new Backoff(0, 1000, 2)).hasMessageContaining("min");
        assertThatThrownBy(() -> new Backoff(500, 100, 2)).hasMessageContaining("max");
        assertThatThrownBy(() -> new Backoff(100, 1000, 0.5)).hasMessageContaining("multiplier");
    }

    /** Always the same double; for the extremes of a draw. */
    record FixedRandom(double value) implements java.util.random.RandomGenerator {
        @Override
        public long nextLong() {
            return 0;
        }

        @Override
        public double nextDouble() {
            return value;
        }

        @Override
        public int nextInt(int bound) {
            return (int) (value * bound);
        }
    }
}
