package io.tickwire.gateway.transport;

import io.netty.channel.Channel;
import io.tickwire.gateway.config.GatewayConfig;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts WebSocket connections, in all and per user, and refuses those beyond
 * {@code server.max-connections} and {@code server.max-connections-per-user}. A slot is taken when a
 * handshake is admitted and given back when its channel closes, whatever the way it closes.
 */
final class ConnectionAdmission {

    enum Refusal { NODE_FULL, USER_FULL }

    private final int maxConnections;
    private final int maxPerUser;
    private final AtomicInteger connections = new AtomicInteger();
    private final ConcurrentHashMap<String, Integer> perUser = new ConcurrentHashMap<>();

    ConnectionAdmission(GatewayConfig.Server config) {
        this.maxConnections = config.maxConnections();
        this.maxPerUser = config.maxConnectionsPerUser();
    }

    /** Takes a slot for {@code user} on {@code channel}, or says why not. */
    Refusal admit(String user, Channel channel) {
        if (connections.incrementAndGet() > maxConnections) {
            connections.decrementAndGet();
            return Refusal.NODE_FULL;
        }
        boolean[] full = new boolean[1];
        perUser.compute(user, (u, n) -> {
            int held = n == null ? 0 : n;
            full[0] = held >= maxPerUser;
            return full[0] ? n : Integer.valueOf(held + 1);
        });
        if (full[0]) {
            connections.decrementAndGet();
            return Refusal.USER_FULL;
        }
        channel.closeFuture().addListener(f -> release(user));
        return null;
    }

    /** {@code user}'s connections on this node now. */
    int connectionsOf(String user) {
        Integer n = perUser.get(user);
        return n == null ? 0 : n;
    }

    private void release(String user) {
        connections.decrementAndGet();
        perUser.computeIfPresent(user, (u, n) -> n <= 1 ? null : n - 1);
    }
}
