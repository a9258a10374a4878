package io.tickwire.bench.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickwire.bench.client.BackoffTest.FixedRandom;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private final RetryPolicy policy = new RetryPolicy(new Backoff(250, 30_000, 2.0));
    private final FixedRandom top = new FixedRandom(Math.nextDown(1.0)); // every draw at its ceiling

    @Test
    void aLostConnectionBacksOffFurtherEachTimeUntilAWelcome() {
        RetryState state = new RetryState();
        assertThat(policy.delayMillis(WsEnd.lost("reset"), state, top)).isEqualTo(500);
        assertThat(policy.delayMillis(WsEnd.lost("reset"), state, top)).isEqualTo(1000);
        assertThat(policy.delayMillis(WsEnd.lost("connect failed"), state, top)).isEqualTo(2000);
        state.connected();
        assertThat(policy.delayMillis(WsEnd.lost("reset"), state, top)).isEqualTo(500);
    }

    @Test
    void aRefusalWaitsItsRetryAfterOrTheBackoffWhicheverIsLonger() {
        RetryState state = new RetryState();
        assertThat(policy.delayMillis(WsEnd.refused(503, 2000), state, top)).isEqualTo(2000); // backoff 500
        assertThat(policy.delayMillis(WsEnd.refused(429, 1000), state, top)).isEqualTo(1000); // backoff 1000
        assertThat(policy.delayMillis(WsEnd.refused(503, 1000), state, top)).isEqualTo(2000); // backoff 2000 wins
    }

    @Test
    void tryAgainLaterWaitsTheDelayItsReasonNames() {
        RetryState state = new RetryState();
        assertThat(policy.delayMillis(WsEnd.closed(1013, "node over its handshake rate: retry after 3 s"), state, top))
                .isEqualTo(3000);
        assertThat(RetryPolicy.retryAfterMillis("no delay here")).isZero();
    }

    @Test
    void aDrainAndAFirstSlowConsumerCloseComeBackWithinASecond() {
        RetryState state = new RetryState();
        assertThat(policy.delayMillis(WsEnd.closed(1012, "drain"), state, top)).isBetween(0L, 1000L);
        assertThat(policy.delayMillis(WsEnd.closed(4008, "slow"), state, top)).isBetween(0L, 1000L);
        assertThat(policy.delayMillis(WsEnd.closed(4008, "slow"), state, top)).isBetween(0L, 1000L);
        assertThat(policy.delayMillis(WsEnd.closed(4008, "slow"), state, top)).isEqualTo(500); // third in a row: backoff
    }

    @Test
    void whatABenchCannotFixStopsIt() {
        RetryState state = new RetryState();
        assertThat(policy.delayMillis(WsEnd.refused(401, 0), state, top)).isEqualTo(RetryPolicy.STOP);
        assertThat(policy.delayMillis(WsEnd.refused(403, 0), state, top)).isEqualTo(RetryPolicy.STOP);
        assertThat(policy.delayMillis(WsEnd.closed(1000, ""), state, top)).isEqualTo(RetryPolicy.STOP);
        assertThat(policy.delayMillis(WsEnd.closed(4001, "token expired"), state, top)).isEqualTo(RetryPolicy.STOP);
        assertThat(policy.delayMillis(WsEnd.closed(4003, "forbidden"), state, top)).isEqualTo(RetryPolicy.STOP);
    }

    @Test
    void retryAfterHeadersInSecondsOnly() {
        assertThat(RetryPolicy.retryAfterHeaderMillis("2")).isEqualTo(2000);
        assertThat(RetryPolicy.retryAfterHeaderMillis(" 1 ")).isEqualTo(1000);
        assertThat(RetryPolicy.retryAfterHeaderMillis(null)).isZero();
        assertThat(RetryPolicy.retryAfterHeaderMillis("Wed, 21 Oct 2015 07:28:00 GMT")).isZero();
    }
}
