package io.tickwire.bench.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchReportTest {

    @Test
    void rowsBecomeColumnsInTheTableAndObjectsInTheJsonLine() {
        BenchReport report = new BenchReport();
        report.put("connections", 2000);
        report.put("note", "say \"hi\"");
        report.put("unknown", Double.NaN);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("from", 500);
        row.put("heap_b", 1078.0);
        report.putRows("slopes", List.of(row));

        assertThat(report.jsonLine()).isEqualTo(
                "{\"connections\":2000,\"note\":\"say \\\"hi\\\"\",\"unknown\":null,\"slopes\":[{\"from\":500,\"heap_b\":1078}]}");
        assertThat(report.table()).contains("connections  2000").contains("unknown      -")
                .contains("slopes:").containsPattern("from +heap_b").containsPattern("500 +1078");
    }

    @Test
    void roundingLeavesNaNAlone() {
        assertThat(BenchReport.round(Double.NaN, 2)).isNaN();
        assertThat(BenchReport.round(1.23456, 2)).isEqualTo(1.23);
    }
}
