package io.tickwire.gateway.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FlatJsonWriterTest {

    private static String cents(long cents) {
        return new String(new FlatJsonWriter().cents("p", cents).toBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void writesCentsWithExactlyTwoDecimals() {
        assertThat(cents(18931)).isEqualTo("{\"p\":189.31}");
        assertThat(cents(18930)).isEqualTo("{\"p\":189.30}");
        assertThat(cents(5)).isEqualTo("{\"p\":0.05}");
        assertThat(cents(0)).isEqualTo("{\"p\":0.00}");
        assertThat(cents(-5)).isEqualTo("{\"p\":-0.05}");
        assertThat(cents(-123456)).isEqualTo("{\"p\":-1234.56}");
    }

    @Test
    void writesFieldsInOrderAndEscapesStrings() {
        byte[] json = new FlatJsonWriter()
                .string("s", "a\"b\\c\n")
                .number("n", -42)
                .cents("c", 100)
                .toBytes();
        assertThat(new String(json, StandardCharsets.UTF_8))
                .isEqualTo("{\"s\":\"a\\\"b\\\\c\\u000a\",\"n\":-42,\"c\":1.00}");
    }

    @Test
    void writesAnEmptyObject() {
        assertThat(new String(new FlatJsonWriter().toBytes(), StandardCharsets.UTF_8)).isEqualTo("{}");
    }
}
