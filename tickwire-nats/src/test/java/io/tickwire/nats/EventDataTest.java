package io.tickwire.nats;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What a message must be to become an event's data. */
class EventDataTest {

    static boolean ok(String json, int max) {
        return EventData.acceptable(json.getBytes(StandardCharsets.UTF_8), max);
    }

    @Test
    void oneJsonValueWithinTheSizeLimit() {
        assertThat(ok("{\"bid\":1.5}", 100)).isTrue();
        assertThat(ok("[1,2]", 100)).isTrue();
        assertThat(ok("42", 100)).isTrue();
        assertThat(ok("\"x\"", 100)).isTrue();
        assertThat(ok(" {} ", 100)).isTrue();
    }

    @Test
    void anythingElseIsRefused() {
        assertThat(ok("", 100)).as("empty").isFalse();
        assertThat(ok("null", 100)).as("null").isFalse();
        assertThat(ok("not json", 100)).isFalse();
        assertThat(ok("{\"a\":", 100)).as("truncated").isFalse();
        assertThat(ok("{} {}", 100)).as("two values").isFalse();
        assertThat(ok("{\"a\":1}", 6)).as("too large").isFalse();
        assertThat(ok("[".repeat(65) + "]".repeat(65), 1000)).as("too deep").isFalse();
        assertThat(EventData.acceptable(null, 100)).isFalse();
    }
}
