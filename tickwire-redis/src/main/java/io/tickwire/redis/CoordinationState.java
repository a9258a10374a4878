package io.tickwire.redis;

/** How this node's coordination stands. Delivery never depends on it. */
public enum CoordinationState {
    /** Redis answers: heartbeats, revocations and counts reach the farm. */
    OK,
    /** Redis is unreachable or too slow: this node works alone and catches up when Redis returns. */
    DEGRADED,
    /** Not started, or closed. */
    OFF
}
