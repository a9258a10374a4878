package io.tickwire.redis;

import io.lettuce.core.api.async.RedisAsyncCommands;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Each user's connections on this node, kept here (the truth) and mirrored in the hash {@code conns:<node>} with the
 * node TTL, so the other nodes can sum a user's connections across the farm and a killed node's counts expire
 * instead of leaking. Opens and closes go out as {@code HINCRBY} (order-free); a failed one marks the mirror dirty
 * and the next heartbeat rewrites it whole, as it does after a reconnect and every {@link #REWRITE_EVERY_MILLIS}.
 * A soft count: racing handshakes on two nodes may both be admitted.
 */
final class UserConnectionCounts {

    /** The mirror is rewritten from the local truth this often even when nothing failed (drops zero fields). */
    static final long REWRITE_EVERY_MILLIS = 30_000;

    private final RedisKeys keys;
    private final String nodeId;
    private final long ttlMillis;
    private final Map<String, Integer> local = new ConcurrentHashMap<>();
    private final AtomicBoolean dirty = new AtomicBoolean();
    private volatile long lastRewrite;

    UserConnectionCounts(RedisKeys keys, String nodeId, long ttlMillis) {
        this.keys = keys;
        this.nodeId = nodeId;
        this.ttlMillis = ttlMillis;
    }

    /** Counts the change here and sends it to the mirror ({@code redis} null: not connected, the mirror is dirty). */
    void change(RedisAsyncCommands<String, String> redis, String user, int delta) {
        local.compute(user, (u, n) -> {
            int v = (n == null ? 0 : n) + delta;
            return v > 0 ? v : null;
        });
        if (redis == null) {
            dirty.set(true);
            return;
        }
        String key = keys.connections(nodeId);
        CompletableFuture.allOf(
                redis.hincrby(key, user, delta).toCompletableFuture(),
                redis.pexpire(key, ttlMillis).toCompletableFuture()) // a node killed before its next heartbeat leaks nothing
                .whenComplete((v, e) -> {
                    if (e != null) {
                        dirty.set(true);
                    }
                });
    }

    /** This node's count for {@code user}. */
    int local(String user) {
        return local.getOrDefault(user, 0);
    }

    void markDirty() {
        dirty.set(true);
    }

    /** At a heartbeat: refreshes the TTL, or rewrites the mirror whole when it may be wrong or is due. */
    CompletableFuture<Void> heartbeat(RedisAsyncCommands<String, String> redis) {
        long now = System.currentTimeMillis();
        if (dirty.get() || now - lastRewrite >= REWRITE_EVERY_MILLIS) {
            return rewrite(redis);
        }
        return redis.pexpire(keys.connections(nodeId), ttlMillis).toCompletableFuture().thenApply(ok -> null);
    }

    /** Replaces the mirror with the local counts. */
    CompletableFuture<Void> rewrite(RedisAsyncCommands<String, String> redis) {
        dirty.set(false);
        String key = keys.connections(nodeId);
        Map<String, String> snapshot = new HashMap<>();
        local.forEach((user, n) -> snapshot.put(user, Integer.toString(n)));
        List<CompletableFuture<?>> steps = new ArrayList<>(3);
        steps.add(redis.del(key).toCompletableFuture());
        if (!snapshot.isEmpty()) {
            steps.add(redis.hset(key, snapshot).toCompletableFuture());
            steps.add(redis.pexpire(key, ttlMillis).toCompletableFuture());
        }
        return CompletableFuture.allOf(steps.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> {
            if (e != null) {
                dirty.set(true);
            } else {
                lastRewrite = System.currentTimeMillis();
            }
        });
    }

    /** Removes the mirror (a graceful stop). */
    CompletableFuture<Void> leave(RedisAsyncCommands<String, String> redis) {
        return redis.del(keys.connections(nodeId)).toCompletableFuture().thenApply(n -> null);
    }

    /** Sums {@code user}'s connections on {@code nodes} (this node excluded). */
    CompletableFuture<Integer> elsewhere(RedisAsyncCommands<String, String> redis, List<String> nodes, String user) {
        List<CompletableFuture<String>> counts = new ArrayList<>(nodes.size());
        for (String node : nodes) {
            if (!node.equals(nodeId)) {
                counts.add(redis.hget(keys.connections(node), user).toCompletableFuture());
            }
        }
        return CompletableFuture.allOf(counts.toArray(CompletableFuture[]::new)).thenApply(v -> {
            int sum = 0;
            for (CompletableFuture<String> c : counts) {
                sum += Math.max(0, parse(c.join()));
            }
            return sum;
        });
    }

    private static int parse(String s) {
        if (s == null) {
            return 0;
        }
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
