package io.tickwire.gateway.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickwire.gateway.config.ConfigLoader;
import io.tickwire.gateway.config.GatewayConfig;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The node's admission rate tells the clients a storm turned away to come back spread over the time it needs
 * to admit them all, a little fewer per second than it admits, not all after the same second.
 */
class HandshakeRateTest {

    @Test
    void refusedHandshakesAreSentBackSpreadAtTheNodesRate() {
        GatewayConfig config = ConfigLoader.load(GatewayConfig.Mode.SERVE, null, Map.of(
                "TICKWIRE_AUTH_HMAC_SECRET", "handshake-rate-test-secret-0123456789abcdef",
                "TICKWIRE_SERVER_HANDSHAKES_PER_SECOND", "100", "TICKWIRE_SERVER_HANDSHAKE_BURST", "10"));
        HandshakeRate rate = new HandshakeRate(config.server());
        int admitted = 0;
        Map<Integer, Integer> bySecond = new TreeMap<>();
        for (int i = 0; i < 1010; i++) { // far faster than 100/s: a storm
            int retryAfter = rate.takeForNode();
            if (retryAfter == 0) {
                admitted++;
            } else {
                bySecond.merge(retryAfter, 1, Integer::sum);
            }
        }
        assertThat(admitted).as("the burst, and what the rate refilled meanwhile").isBetween(10, 20);
        // about 1,000 refused at 100/s: sent back at 90 a second (a little under the rate, so they fit), over 11 s
        assertThat(bySecond.keySet()).as("%s", bySecond).contains(1, 5, 11).allMatch(s -> s >= 1 && s <= 12);
        assertThat(bySecond.values()).as("%s", bySecond).allMatch(n -> n <= 91);
    }

    @Test
    void theWaitToldIsAtMostAMinute() {
        GatewayConfig config = ConfigLoader.load(GatewayConfig.Mode.SERVE, null, Map.of(
                "TICKWIRE_AUTH_HMAC_SECRET", "handshake-rate-test-secret-0123456789abcdef",
                "TICKWIRE_SERVER_HANDSHAKES_PER_SECOND", "1", "TICKWIRE_SERVER_HANDSHAKE_BURST", "1"));
        HandshakeRate rate = new HandshakeRate(config.server());
        int last = 0;
        for (int i = 0; i < 200; i++) {
            last = rate.takeForNode();
        }
        assertThat(last).isEqualTo(HandshakeRate.MAX_RETRY_AFTER_SECONDS);
    }
}
