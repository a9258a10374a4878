package io.tickwire.redis;

/** The keys and channel of one farm, all under one prefix ({@code tickwire:} by default). */
final class RedisKeys {

    private final String prefix;

    RedisKeys(String prefix) {
        this.prefix = prefix;
    }

    /** STRING: a node's JSON ({@link NodeInfo}), with the node TTL. */
    String node(String nodeId) {
        return prefix + "node:" + nodeId;
    }

    /** ZSET of node ids, score = when the node's last heartbeat expires (epoch ms): an index; the key decides. */
    String nodes() {
        return prefix + "nodes";
    }

    /** HASH user → connections on that node, with the node TTL. */
    String connections(String nodeId) {
        return prefix + "conns:" + nodeId;
    }

    /** ZSET of revocations (canonical JSON), score = when it may be forgotten (epoch ms). */
    String revocations() {
        return prefix + "revocations";
    }

    /** Pub/sub channel carrying each new revocation with its origin. */
    String revocationChannel() {
        return prefix + "revocations";
    }
}
