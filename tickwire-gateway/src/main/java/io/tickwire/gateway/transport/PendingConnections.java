package io.tickwire.gateway.transport;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Connections accepted but not yet upgraded to a WebSocket nor authenticated by an HTTP request: how many
 * this node holds ({@code server.max-pending-connections}) and how many each client address holds
 * ({@code server.address-max-pending-connections}). Bounded: an address has an entry only while it has a
 * pending connection, and there are at most the node's maximum of those. Thread-safe.
 */
final class PendingConnections {

    private final int maxTotal;
    private final int maxPerAddress;
    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentHashMap<Long, Integer> byAddress = new ConcurrentHashMap<>();

    PendingConnections(int maxTotal, int maxPerAddress) {
        this.maxTotal = maxTotal;
        this.maxPerAddress = maxPerAddress;
    }

    /** Why a connection was not admitted, or null if it was. */
    enum Refusal { NODE, ADDRESS }

    /**
     * Counts a new connection from the address {@code key}, per address only when {@code perAddress}; null
     * if admitted (then {@link #release} must follow once), else which limit refused it.
     */
    Refusal admit(long key, boolean perAddress) {
        if (total.incrementAndGet() > maxTotal) {
            total.decrementAndGet();
            return Refusal.NODE;
        }
        if (perAddress) {
            boolean[] admitted = {false};
            byAddress.compute(key, (k, n) -> {
                int held = n == null ? 0 : n;
                if (held >= maxPerAddress) {
                    return n;
                }
                admitted[0] = true;
                return held + 1;
            });
            if (!admitted[0]) {
                total.decrementAndGet();
                return Refusal.ADDRESS;
            }
        }
        return null;
    }

    /** The connection admitted with the same arguments is no longer pending. */
    void release(long key, boolean perAddress) {
        total.decrementAndGet();
        if (perAddress) {
            byAddress.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
        }
    }

    int total() {
        return total.get();
    }

    /** Addresses with a pending connection (what the table holds). */
    int addresses() {
        return byAddress.size();
    }
}
