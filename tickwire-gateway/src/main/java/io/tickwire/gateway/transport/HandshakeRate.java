package io.tickwire.gateway.transport;

import io.tickwire.gateway.config.GatewayConfig;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How fast new WebSocket handshakes are admitted: a token bucket per client address
 * ({@code server.address-handshakes-per-second}, {@code server.address-handshake-burst}) and one for the
 * node ({@code server.handshakes-per-second}, {@code server.handshake-burst}). Checked in that order, and
 * before the token is verified: verification is the expensive part a reconnection storm would pile up,
 * and one address must not be able to use up the node's allowance. Thread-safe, lock-free for the node
 * and one short lock per address set; no allocation per handshake.
 */
final class HandshakeRate {

    private final long origin = System.nanoTime();
    private final TokenBucket node;
    private final AddressBuckets addresses;

    HandshakeRate(GatewayConfig.Server config) {
        this.node = new TokenBucket(config.handshakesPerSecond(), config.handshakeBurst());
        this.addresses = new AddressBuckets(config.addressHandshakesPerSecond(), config.addressHandshakeBurst(),
                AddressBuckets.DEFAULT_CAPACITY);
    }

    /** 0 if {@code client} may make a handshake now, else the seconds it should wait ({@code Retry-After}). */
    int takeForAddress(ClientAddress client) {
        long wait = addresses.take(client.limitKey(), System.nanoTime() - origin);
        return wait == 0 ? 0 : TokenBucket.retryAfterSeconds(wait);
    }

    /**
     * 0 if the node admits a handshake now, else the seconds to wait: the time until a token is back, at
     * least 1 s, plus up to as much again at random, so the clients a storm turned away do not all come back
     * in the same second.
     */
    int takeForNode() {
        long wait = node.take(System.nanoTime() - origin);
        if (wait == 0) {
            return 0;
        }
        int seconds = TokenBucket.retryAfterSeconds(wait);
        return seconds + ThreadLocalRandom.current().nextInt(seconds + 1);
    }
}
