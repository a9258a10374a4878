package io.tickwire.gateway.demo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CentsTest {

    @Test
    void writesCentsWithExactlyTwoDecimals() {
        assertThat(Cents.json(18931)).isEqualTo("189.31");
        assertThat(Cents.json(18930)).isEqualTo("189.30");
        assertThat(Cents.json(5)).isEqualTo("0.05");
        assertThat(Cents.json(0)).isEqualTo("0.00");
        assertThat(Cents.json(-5)).isEqualTo("-0.05");
        assertThat(Cents.json(-123456)).isEqualTo("-1234.56");
    }
}
