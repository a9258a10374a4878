package io.tickwire.redis;

import io.lettuce.core.KeyValue;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The farm's live nodes: each node writes its {@link NodeInfo} under {@code node:<id>} with the node TTL at every
 * heartbeat, and its id in the {@code nodes} index scored by that expiry. The key's TTL decides who is live (it is
 * Redis's clock, the same for everyone); the index only saves a {@code SCAN} and is trimmed as it goes.
 */
final class NodeRegistry {

    private final RedisKeys keys;
    private final String nodeId;
    private final long ttlMillis;

    NodeRegistry(RedisKeys keys, String nodeId, long ttlMillis) {
        this.keys = keys;
        this.nodeId = nodeId;
        this.ttlMillis = ttlMillis;
    }

    /** Writes this node's entry and index score, and trims the index of nodes gone for a TTL. */
    CompletableFuture<Void> heartbeat(RedisAsyncCommands<String, String> redis, NodeInfo self) {
        long now = System.currentTimeMillis();
        return CompletableFuture.allOf(
                redis.set(keys.node(nodeId), self.toJson(), SetArgs.Builder.px(ttlMillis)).toCompletableFuture(),
                redis.zadd(keys.nodes(), now + ttlMillis, nodeId).toCompletableFuture(),
                // scores are other nodes' clocks: keep a TTL's margin for skew (the key decides anyway)
                redis.zremrangebyscore(keys.nodes(), Double.NEGATIVE_INFINITY, now - ttlMillis).toCompletableFuture());
    }

    /** Removes this node at once (a graceful stop; a killed node disappears after the TTL). */
    CompletableFuture<Void> leave(RedisAsyncCommands<String, String> redis) {
        return CompletableFuture.allOf(
                redis.del(keys.node(nodeId)).toCompletableFuture(),
                redis.zrem(keys.nodes(), nodeId).toCompletableFuture());
    }

    /** Ids in the index whose last heartbeat has not expired by this node's clock, give or take a TTL. */
    CompletableFuture<List<String>> liveIds(RedisAsyncCommands<String, String> redis) {
        long now = System.currentTimeMillis();
        return redis.zrangebyscore(keys.nodes(), now - ttlMillis, Double.POSITIVE_INFINITY).toCompletableFuture();
    }

    /** The live nodes, by id: those in the index whose entry has not expired. */
    CompletableFuture<List<NodeInfo>> list(RedisAsyncCommands<String, String> redis) {
        return liveIds(redis).thenCompose(ids -> {
            if (ids.isEmpty()) {
                return CompletableFuture.completedFuture(List.<NodeInfo>of());
            }
            String[] nodeKeys = ids.stream().map(keys::node).toArray(String[]::new);
            return redis.mget(nodeKeys).toCompletableFuture().thenApply(values -> {
                List<NodeInfo> nodes = new ArrayList<>(values.size());
                for (KeyValue<String, String> kv : values) {
                    NodeInfo n = kv.hasValue() ? NodeInfo.parse(kv.getValue()) : null;
                    if (n != null) {
                        nodes.add(n);
                    }
                }
                nodes.sort(Comparator.comparing(NodeInfo::node));
                return nodes;
            });
        });
    }
}
