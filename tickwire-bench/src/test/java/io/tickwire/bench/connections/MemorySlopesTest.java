package io.tickwire.bench.connections;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickwire.bench.gateway.MemorySample;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MemorySlopesTest {

    private static MemorySample sample(long connections, double heap, double direct, long rss) {
        return new MemorySample(connections, connections, heap, direct, 0, 0, rss, connections + 20, true);
    }

    @Test
    void theSlopeIgnoresWhatTheGatewayHoldsAnyway() {
        // 50 MB of baseline, then 3,000 bytes of heap and 1,000 of direct memory per connection
        MemorySample a = sample(5_000, 50e6 + 5_000 * 3_000, 5_000 * 1_000, (long) 400e6);
        MemorySample b = sample(10_000, 50e6 + 10_000 * 3_000, 10_000 * 1_000, (long) 400e6 + 5_000 * 9_000);
        assertThat(MemorySlopes.perConnection(a, b, MemorySample::heapUsed)).isEqualTo(3_000.0);
        assertThat(MemorySlopes.perConnection(a, b, MemorySample::nettyDirect)).isEqualTo(1_000.0);
        assertThat(MemorySlopes.perConnection(a, b, s -> s.rss())).isEqualTo(9_000.0);
    }

    @Test
    void unknownFiguresAndEqualCountsGiveNoSlope() {
        MemorySample a = sample(1_000, 1e6, Double.NaN, -1);
        MemorySample b = sample(2_000, 2e6, 5e5, 3_000_000);
        assertThat(MemorySlopes.perConnection(a, b, MemorySample::nettyDirect)).isNaN();
        assertThat(MemorySlopes.perConnection(a, b, s -> s.rss())).isNaN(); // -1: no pid
        assertThat(MemorySlopes.perConnection(a, a, MemorySample::heapUsed)).isNaN();
    }

    @Test
    void consecutiveStepsThenFirstToLast() {
        List<Map<String, Object>> rows = MemorySlopes.rows(List.of(
                sample(5_000, 10e6, 0, 0), sample(10_000, 20e6, 0, 0), sample(19_000, 47e6, 0, 0)));
        assertThat(rows).extracting(r -> r.get("from") + "->" + r.get("to"))
                .containsExactly("5000->10000", "10000->19000", "5000->19000");
        assertThat(rows).extracting(r -> r.get("heap_b_per_conn")).containsExactly(2_000.0, 3_000.0, 2_643.0);
        assertThat(MemorySlopes.rows(List.of(sample(1, 1, 1, 1), sample(2, 2, 2, 2)))).hasSize(1); // no repeat of the only pair
    }
}
