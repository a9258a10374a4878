package io.tickwire.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The contract's close-code table (§6) as the client applies it. */
class ReconnectPolicyTest {

    private final ReconnectPolicy policy = new ReconnectPolicy(
            new Backoff(Duration.ofMillis(2000), Duration.ofSeconds(60), 2.0, new Random(1)), new Random(2));

    private ReconnectPolicy.Decision closed(int code) {
        return policy.next(ConnectionEnd.closed(code, ""));
    }

    @Test
    void normalAndForbiddenStop() {
        assertThat(closed(1000).stop()).isTrue();
        assertThat(closed(4003).stop()).isTrue();
        // a refused upgrade's 403 is a non-browser's 4003 (contract §1): final too
        assertThat(policy.next(ConnectionEnd.refused(403, 0)).stop()).isTrue();
    }

    @Test
    void drainRestartReconnectsWithinASecondEvenAfterFailures() {
        for (int i = 0; i < 5; i++) {
            closed(1011);
        }
        for (int i = 0; i < 20; i++) {
            ReconnectPolicy.Decision d = closed(1012);
            assertThat(d.stop()).isFalse();
            assertThat(d.delayMillis()).isBetween(0L, 1000L);
        }
    }

    @Test
    void slowConsumerJittersTwiceThenBacksOff() {
        assertThat(closed(4008).delayMillis()).isBetween(0L, 1000L);
        assertThat(closed(4008).delayMillis()).isBetween(0L, 1000L);
        assertThat(closed(4008).delayMillis()).isBetween(2000L, 4000L);
        assertThat(closed(4008).delayMillis()).isBetween(2000L, 8000L);
        closed(1011); // the run of 4008s is broken
        assertThat(closed(4008).delayMillis()).isBetween(0L, 1000L);
    }

    @Test
    void otherCodesAndLostConnectionsBackOffExponentiallyUntilConnected() {
        assertThat(closed(1001).delayMillis()).isBetween(2000L, 4000L);
        assertThat(closed(4000).delayMillis()).isBetween(2000L, 8000L);
        assertThat(policy.next(ConnectionEnd.lost("reset")).delayMillis()).isBetween(2000L, 16000L);
        policy.connected();
        assertThat(closed(4029).delayMillis()).isBetween(2000L, 4000L);
    }

    @Test
    void unauthorizedRetriesAtOnceWithAFreshTokenThenBacksOff() {
        assertThat(closed(4001).delayMillis()).isZero();
        assertThat(closed(4001).delayMillis()).isBetween(2000L, 8000L);
    }

    @Test
    void refusedUpgradesHonourRetryAfter() {
        assertThat(policy.next(ConnectionEnd.refused(503, 9000)).delayMillis()).isEqualTo(9000);
        assertThat(policy.next(ConnectionEnd.refused(429, 30_000)).delayMillis()).isEqualTo(30_000);
        assertThat(policy.next(ConnectionEnd.refused(401, 0)).delayMillis()).isBetween(2000L, 60_000L);
        assertThat(policy.next(ConnectionEnd.refused(401, 0)).stop()).isFalse();
    }

    @Test
    void tryAgainLaterReadsTheDelayFromTheReason() {
        assertThat(ReconnectPolicy.retryAfter("retry after 7 s")).isEqualTo(7000);
        assertThat(ReconnectPolicy.retryAfter("overloaded")).isZero();
        assertThat(policy.next(ConnectionEnd.closed(1013, "retry after 7 s")).delayMillis()).isEqualTo(7000);
    }
}
