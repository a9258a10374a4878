package io.tickwire.redis;

import java.time.Duration;
import java.util.Objects;

/**
 * What a {@link RedisCoordinator} needs, as plain values (the gateway binds them from {@code cluster.*}).
 *
 * @param redisUrl {@code redis://host:port/db} or {@code rediss://…}
 * @param nodeId this node's id, unique in the farm
 * @param keyPrefix prefix of every key and channel; default {@code tickwire:}
 * @param heartbeat how often this node writes its entry and refreshes its counts' TTL; default 2 s
 * @param nodeTtl how long an entry outlives the last heartbeat (a stopped node disappears after it); default 6 s
 * @param commandTimeout how long one Redis command may take before it fails; default 500 ms
 * @param maxRevocations revocations this node remembers to heal a Redis that came back empty; default 100 000
 *                       (as {@code auth.max-revocations})
 */
public record CoordinatorSettings(String redisUrl, String nodeId, String keyPrefix, Duration heartbeat,
                                  Duration nodeTtl, Duration commandTimeout, int maxRevocations) {

    public static final String DEFAULT_KEY_PREFIX = "tickwire:";
    public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_NODE_TTL = Duration.ofSeconds(6);
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofMillis(500);
    public static final int DEFAULT_MAX_REVOCATIONS = 100_000;

    public CoordinatorSettings {
        if (redisUrl == null || redisUrl.isBlank()) {
            throw new IllegalArgumentException("redisUrl must not be empty");
        }
        if (nodeId == null || nodeId.isEmpty()) {
            throw new IllegalArgumentException("nodeId must not be empty");
        }
        Objects.requireNonNull(keyPrefix, "keyPrefix");
        positive(heartbeat, "heartbeat");
        positive(nodeTtl, "nodeTtl");
        positive(commandTimeout, "commandTimeout");
        if (nodeTtl.compareTo(heartbeat) <= 0) {
            throw new IllegalArgumentException("nodeTtl (" + nodeTtl.toMillis() + " ms) must be longer than the heartbeat ("
                    + heartbeat.toMillis() + " ms), or live nodes would flicker out of the registry");
        }
        if (maxRevocations < 1) {
            throw new IllegalArgumentException("maxRevocations must be at least 1, got " + maxRevocations);
        }
    }

    /** The defaults for this Redis and node. */
    public static CoordinatorSettings of(String redisUrl, String nodeId) {
        return new CoordinatorSettings(redisUrl, nodeId, DEFAULT_KEY_PREFIX, DEFAULT_HEARTBEAT, DEFAULT_NODE_TTL,
                DEFAULT_COMMAND_TIMEOUT, DEFAULT_MAX_REVOCATIONS);
    }

    public CoordinatorSettings withKeyPrefix(String prefix) {
        return new CoordinatorSettings(redisUrl, nodeId, prefix, heartbeat, nodeTtl, commandTimeout, maxRevocations);
    }

    public CoordinatorSettings withHeartbeat(Duration every, Duration ttl) {
        return new CoordinatorSettings(redisUrl, nodeId, keyPrefix, every, ttl, commandTimeout, maxRevocations);
    }

    public CoordinatorSettings withCommandTimeout(Duration timeout) {
        return new CoordinatorSettings(redisUrl, nodeId, keyPrefix, heartbeat, nodeTtl, timeout, maxRevocations);
    }

    public CoordinatorSettings withMaxRevocations(int max) {
        return new CoordinatorSettings(redisUrl, nodeId, keyPrefix, heartbeat, nodeTtl, commandTimeout, max);
    }

    private static void positive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + d);
        }
    }
}
