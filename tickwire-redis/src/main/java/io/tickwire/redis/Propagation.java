package io.tickwire.redis;

/** What became of a revocation made on this node, for the farm (it always applies on this node). */
public enum Propagation {
    /** Stored in Redis and published: the other nodes have it or will load it. */
    PUBLISHED,
    /** Redis did not take it (down or too slow): kept here and sent when coordination recovers. */
    PENDING
}
