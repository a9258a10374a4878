package io.tickwire.bench.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrometheusTextTest {

    private static final String TEXT = """
            # HELP jvm_memory_used_bytes The amount of used memory
            # TYPE jvm_memory_used_bytes gauge
            jvm_memory_used_bytes{area="heap",id="G1 Eden Space"} 1.1534336E7
            jvm_memory_used_bytes{area="heap",id="G1 Old Gen"} 5857792.0
            jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 2.0973512E7
            netty_allocator_memory_used{allocator_type="AdaptiveByteBufAllocator",id="80141040",memory_type="direct"} 131072.0
            tickwire_connections 2000.0
            tickwire_connections_total_weird 7 1764268800000
            """;

    @Test
    void sumsTheSeriesWhoseLabelsMatch() {
        PrometheusText m = PrometheusText.parse(TEXT);
        assertThat(m.sum("jvm_memory_used_bytes", "area=\"heap\"")).isEqualTo(11534336.0 + 5857792.0);
        assertThat(m.sum("jvm_memory_used_bytes")).isEqualTo(11534336.0 + 5857792.0 + 20973512.0);
        assertThat(m.sum("netty_allocator_memory_used", "memory_type=\"direct\"")).isEqualTo(131072.0);
    }

    @Test
    void aNameIsNotAPrefixOfAnother() {
        PrometheusText m = PrometheusText.parse(TEXT);
        assertThat(m.sum("tickwire_connections")).isEqualTo(2000.0);
        assertThat(m.sum("tickwire_connections_total_weird")).isEqualTo(7.0); // the timestamp is not the value
    }

    @Test
    void whatIsNotThereIsNaN() {
        PrometheusText m = PrometheusText.parse(TEXT);
        assertThat(m.sum("netty_allocator_memory_used", "memory_type=\"heap\"")).isNaN();
        assertThat(m.sum("no_such_metric")).isNaN();
    }

    @Test
    void listsTheSeriesOfOneMetric() {
        PrometheusText m = PrometheusText.parse(TEXT);
        assertThat(m.series("jvm_memory_used_bytes")).hasSize(3)
                .containsEntry("jvm_memory_used_bytes{area=\"heap\",id=\"G1 Old Gen\"}", 5857792.0);
        assertThat(m.series("tickwire_connections")).containsOnlyKeys("tickwire_connections");
    }
}
