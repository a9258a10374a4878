package io.tickwire.bench.connections;

import io.tickwire.bench.gateway.MemorySample;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Memory per connection as the slope between two samples: (memory at b − memory at a) / (connections at b −
 * connections at a). A slope, not memory / connections, so that what the gateway holds anyway (code, rooms,
 * pools, the heap's floor) drops out. Between each pair of consecutive steps, and first → last.
 */
final class MemorySlopes {

    private MemorySlopes() {}

    /** Bytes per connection of {@code figure} from {@code a} to {@code b}; NaN when either is unknown or the counts are equal. */
    static double perConnection(MemorySample a, MemorySample b, ToDoubleFunction<MemorySample> figure) {
        long dc = b.connections() - a.connections();
        double va = figure.applyAsDouble(a);
        double vb = figure.applyAsDouble(b);
        if (dc == 0 || Double.isNaN(va) || Double.isNaN(vb) || va < 0 || vb < 0) {
            return Double.NaN;
        }
        return (vb - va) / dc;
    }

    /** One row per consecutive pair of samples, then first → last (when there are more than two samples). */
    static List<Map<String, Object>> rows(List<MemorySample> samples) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 1; i < samples.size(); i++) {
            rows.add(row(samples.get(i - 1), samples.get(i)));
        }
        if (samples.size() > 2) {
            rows.add(row(samples.get(0), samples.get(samples.size() - 1)));
        }
        return rows;
    }

    private static Map<String, Object> row(MemorySample a, MemorySample b) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("from", a.connections());
        row.put("to", b.connections());
        row.put("heap_b_per_conn", rounded(perConnection(a, b, MemorySample::heapUsed)));
        row.put("netty_direct_b_per_conn", rounded(perConnection(a, b, MemorySample::nettyDirect)));
        row.put("netty_heap_b_per_conn", rounded(perConnection(a, b, MemorySample::nettyHeap)));
        row.put("rss_b_per_conn", rounded(perConnection(a, b, s -> s.rss())));
        return row;
    }

    private static double rounded(double v) {
        return Double.isNaN(v) ? v : Math.round(v);
    }
}
