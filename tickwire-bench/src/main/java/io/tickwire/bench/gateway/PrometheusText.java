package io.tickwire.bench.gateway;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The samples of a Prometheus text exposition ({@code /metrics}), keyed by series ({@code name{labels}} as
 * written), with sums over the series of one metric. Enough for the bench's few readings; not a full parser
 * (no escapes inside label values, which the gateway's metrics never have).
 */
public final class PrometheusText {

    private final Map<String, Double> samples;

    private PrometheusText(Map<String, Double> samples) {
        this.samples = samples;
    }

    public static PrometheusText parse(String text) {
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            line = line.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int close = line.indexOf('{') >= 0 ? line.indexOf('}') : -1;
            int space = line.indexOf(' ', close + 1);
            if (space < 0) {
                continue;
            }
            String series = line.substring(0, space);
            String rest = line.substring(space + 1).strip();
            int end = rest.indexOf(' '); // an optional timestamp follows the value
            try {
                samples.put(series, Double.parseDouble(end < 0 ? rest : rest.substring(0, end)));
            } catch (NumberFormatException e) {
                // not a sample line: skip it
            }
        }
        return new PrometheusText(samples);
    }

    /** Every series of metric {@code name}, as written ({@code name{labels}}), with its value. */
    public Map<String, Double> series(String name) {
        Map<String, Double> out = new LinkedHashMap<>();
        samples.forEach((series, value) -> {
            if (series.equals(name) || series.startsWith(name + "{")) {
                out.put(series, value);
            }
        });
        return out;
    }

    /**
     * The sum of metric {@code name}'s series whose labels contain every one of {@code labels} (each written
     * as in the text: {@code area="heap"}), or NaN when there is none.
     */
    public double sum(String name, String... labels) {
        double sum = 0;
        boolean found = false;
        outer:
        for (Map.Entry<String, Double> e : samples.entrySet()) {
            String series = e.getKey();
            if (!series.equals(name) && !series.startsWith(name + "{")) {
                continue;
            }
            for (String label : labels) {
                if (!series.contains(label)) {
                    continue outer;
                }
            }
            sum += e.getValue();
            found = true;
        }
        return found ? sum : Double.NaN;
    }
}
