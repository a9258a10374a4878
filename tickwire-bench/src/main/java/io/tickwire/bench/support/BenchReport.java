package io.tickwire.bench.support;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The figures of one run, printed as a table for people and as one JSON line for tools. A figure is a number,
 * a boolean, a string, null, or a list of rows ({@link #putRows}), which the table prints as columns after the
 * single figures and the JSON line writes as an array of objects. NaN and infinities are written as null.
 */
public final class BenchReport {

    private final Map<String, Object> figures = new LinkedHashMap<>();

    public void put(String key, Object value) {
        figures.put(key, value);
    }

    /** A list of rows, each with the same keys in the same order (the columns). */
    public void putRows(String key, List<Map<String, Object>> rows) {
        figures.put(key, List.copyOf(rows));
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
        int width = figures.entrySet().stream().filter(e -> !(e.getValue() instanceof List))
                .mapToInt(e -> e.getKey().length()).max().orElse(10);
        for (Map.Entry<String, Object> e : figures.entrySet()) {
            if (!(e.getValue() instanceof List)) {
                out.append(String.format(Locale.ROOT, "%-" + width + "s  %s%n", e.getKey(), text(e.getValue())));
            }
        }
        for (Map.Entry<String, Object> e : figures.entrySet()) {
            if (e.getValue() instanceof List<?> rows && !rows.isEmpty()) {
                out.append(System.lineSeparator()).append(e.getKey()).append(':').append(System.lineSeparator());
                out.append(columns(rows));
            }
        }
        return out.toString();
    }

    private static String columns(List<?> rows) {
        List<String> keys = new ArrayList<>(((Map<?, ?>) rows.get(0)).keySet().stream().map(String::valueOf).toList());
        int[] widths = new int[keys.size()];
        List<String[]> cells = new ArrayList<>();
        cells.add(keys.toArray(new String[0]));
        for (Object row : rows) {
            Map<?, ?> r = (Map<?, ?>) row;
            String[] line = new String[keys.size()];
            for (int i = 0; i < keys.size(); i++) {
                line[i] = text(r.get(keys.get(i)));
            }
            cells.add(line);
        }
        for (String[] line : cells) {
            for (int i = 0; i < line.length; i++) {
                widths[i] = Math.max(widths[i], line[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] line : cells) {
            out.append(' ');
            for (int i = 0; i < line.length; i++) {
                out.append(' ').append(String.format(Locale.ROOT, "%" + widths[i] + "s", line[i]));
            }
            out.append(System.lineSeparator());
        }
        return out.toString();
    }

    public String jsonLine() {
        StringBuilder out = new StringBuilder();
        json(out, figures);
        return out.toString();
    }

    private static void json(StringBuilder out, Object v) {
        if (v == null || v instanceof Double d && (d.isNaN() || d.isInfinite())) {
            out.append("null");
        } else if (v instanceof Number || v instanceof Boolean) {
            out.append(text(v));
        } else if (v instanceof Map<?, ?> map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                out.append(first ? "" : ",");
                first = false;
                out.append('"').append(e.getKey()).append("\":");
                json(out, e.getValue());
            }
            out.append('}');
        } else if (v instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                out.append(i == 0 ? "" : ",");
                json(out, list.get(i));
            }
            out.append(']');
        } else {
            out.append('"').append(v.toString().replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
    }

    public static double round(double v, int places) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return v;
        }
        double f = Math.pow(10, places);
        return Math.round(v * f) / f;
    }

    private static double ms(long micros) {
        return round(micros / 1000.0, 3);
    }

    private static String text(Object v) {
        if (v instanceof Double d) {
            if (d.isNaN() || d.isInfinite()) {
                return "-";
            }
            return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString(d.longValue()) : d.toString();
        }
        return String.valueOf(v);
    }
}
