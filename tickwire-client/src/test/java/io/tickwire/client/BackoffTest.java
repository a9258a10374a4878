package io.tickwire.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), 2.0, new Random(42));

    @Test
    void everyDelayLiesBetweenMinAndTheGrowingCeilingCappedAtMax() {
        for (int attempt = 0; attempt < 30; attempt++) {
            long ceiling = Math.min(5000, (long) (100 * Math.pow(2, attempt + 1)));
            assertThat(backoff.ceilingMillis(attempt)).isEqualTo(ceiling);
            for (int i = 0; i < 200; i++) {
                assertThat(backoff.delayMillis(attempt)).isBetween(100L, ceiling);
            }
        }
        assertThat(backoff.ceilingMillis(1000)).isEqualTo(5000);
    }

    @Test
    void delaysAreJitteredOverTheWholeRange() {
        Set<Long> seen = new HashSet<>();
        long low = Long.MAX_VALUE;
        long high = 0;
        for (int i = 0; i < 1000; i++) {
            long d = backoff.delayMillis(10); // range [100, 5000]
            seen.add(d);
            low = Math.min(low, d);
            high = Math.max(high, d);
        }
        assertThat(seen).hasSizeGreaterThan(500);
        assertThat(low).isLessThan(400);
        assertThat(high).isGreaterThan(4700);
    }

    @Test
    void aSeededRandomGivesTheSameSequence() {
        Backoff a = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), 2.0, new Random(7));
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), 2.0, new Random(7));
        for (int i = 0; i < 10; i++) {
            assertThat(a.delayMillis(i)).isEqualTo(b.delayMillis(i));
        }
    }

    @Test
    void rejectsBoundsThatMakeNoSense() {
        Random r = new Random();
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), 2, r)).hasMessageContaining("min");
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 2, r))
                .hasMessageContaining("max");
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(2), 0.5, r))
                .hasMessageContaining("multiplier");
    }
}
