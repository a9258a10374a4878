package io.tickwire.gateway.transport;

import io.tickwire.gateway.config.GatewayConfig;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How fast new WebSocket handshakes are admitted: a token bucket per client address
 * ({@code server.address-handshakes-per-second}, {@code server.address-handshake-burst}) and one for the
 * node ({@code server.handshakes-per-second}, {@code server.handshake-burst}). Checked in that order, and
 * before the token is verified: verification is the expensive part a reconnection storm would pile up,
 * and one address must not be able to use up the node's allowance. Thread-safe, lock-free for the node
 * and one short lock per address set; no allocation per handshake.
 */
final class HandshakeRate {

    /** The longest wait a refused handshake is told. */
    static final int MAX_RETRY_AFTER_SECONDS = 60;

    private final long origin = System.nanoTime();
    private final TokenBucket node;
    private final long intervalNanos;
    /** The next free slot of the virtual queue refused handshakes are sent back to (nanoseconds from origin). */
    private final AtomicLong nextSlot = new AtomicLong();
    private final AddressBuckets addresses;

    HandshakeRate(GatewayConfig.Server config) {
        this.node = new TokenBucket(config.handshakesPerSecond(), config.handshakeBurst());
        // the queue runs at 90% of the rate, so the clients it sends back fit in what the bucket admits each second
        // (at the full rate, the slightest bunching refuses some again, and each refusal goes to the queue's end)
        this.intervalNanos = TokenBucket.intervalNanos(config.handshakesPerSecond()) * 10 / 9;
        this.addresses = new AddressBuckets(config.addressHandshakesPerSecond(), config.addressHandshakeBurst(),
                AddressBuckets.DEFAULT_CAPACITY);
    }

    /** 0 if {@code client} may make a handshake now, else the seconds it should wait ({@code Retry-After}). */
    int takeForAddress(ClientAddress client) {
        long wait = addresses.take(client.limitKey(), System.nanoTime() - origin);
        return wait == 0 ? 0 : TokenBucket.retryAfterSeconds(wait);
    }

    /**
     * 0 if the node admits a handshake now, else the seconds to wait: each refused client is given the next
     * free slot of a virtual queue that runs at 90% of the node's rate, so the clients a storm turned away come
     * back spread over the time the node needs to admit them all, a little fewer each second than it admits,
     * instead of all together after the same second (where most would be refused again). Advisory: nothing
     * is reserved; a client that comes back early, or late, is simply checked again. At most
     * {@link #MAX_RETRY_AFTER_SECONDS}.
     */
    int takeForNode() {
        long now = System.nanoTime() - origin;
        long wait = node.take(now);
        if (wait == 0) {
            return 0;
        }
        long slot = nextSlot.accumulateAndGet(now, (prev, n) -> Math.max(prev, n + wait) + intervalNanos);
        return Math.min(MAX_RETRY_AFTER_SECONDS, TokenBucket.retryAfterSeconds(slot - now));
    }
}
