/**
 * Coordination of a farm of gateway nodes over Redis (Lettuce): the node registry, revocations that reach every
 * node, and per-user connection counts across nodes. Never on the delivery path: every call is asynchronous with a
 * short timeout, nothing queues without bound while Redis is down, and coordination recovers by itself.
 *
 * <p>{@link io.tickwire.redis.RedisCoordinator} is the entry point; {@link io.tickwire.redis.NodeRegistry},
 * {@link io.tickwire.redis.RevocationFeed} and {@link io.tickwire.redis.UserConnectionCounts} each own one feature's
 * keys (named in {@link io.tickwire.redis.RedisKeys}).
 */
package io.tickwire.redis;
