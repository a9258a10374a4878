package io.tickwire.bench.support;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** The figures of one run, printed as a table for people and as one JSON line for tools. */
public final class BenchReport {

    private final Map<String, Object> figures = new LinkedHashMap<>();

    public void put(String key, Object value) {
        figures.put(key, value);
    }

    public void putLatency(Histogram micros) {
        put("latency_p50_ms", ms(micros.getValueAtPercentile(50)));
        put("latency_p90_ms", ms(micros.getValueAtPercentile(90)));
        put("latency_p99_ms", ms(micros.getValueAtPercentile(99)));
        put("latency_p999_ms", ms(micros.getValueAtPercentile(99.9)));
        put("latency_max_ms", ms(micros.getMaxValue()));
        put("latency_samples", micros.getTotalCount());
    }

    public String table() {
        StringBuilder out = new StringBuilder();
        int width = figures.keySet().stream().mapToInt(String::length).max().orElse(10);
        for (Map.Entry<String, Object> e : figures.entrySet()) {
            out.append(String.format(Locale.ROOT, "%-" + width + "s  %s%n", e.getKey(), text(e.getValue())));
        }
        return out.toString();
    }

    public String jsonLine() {
        StringBuilder out = new StringBuilder("{");
        for (Map.Entry<String, Object> e : figures.entrySet()) {
            if (out.length() > 1) {
                out.append(',');
            }
            out.append('"').append(e.getKey()).append("\":");
            Object v = e.getValue();
            if (v == null) {
                out.append("null");
            } else if (v instanceof Number || v instanceof Boolean) {
                out.append(text(v));
            } else {
                out.append('"').append(v.toString().replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
        }
        return out.append('}').toString();
    }

    public static double round(double v, int places) {
        double f = Math.pow(10, places);
        return Math.round(v * f) / f;
    }

    private static double ms(long micros) {
        return round(micros / 1000.0, 3);
    }

    private static String text(Object v) {
        if (v instanceof Double d) {
            return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString(d.longValue()) : d.toString();
        }
        return String.valueOf(v);
    }
}
