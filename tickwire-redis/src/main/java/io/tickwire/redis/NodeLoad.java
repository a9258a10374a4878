package io.tickwire.redis;

/** What this node reports about itself at each heartbeat (read from the supplier given to the coordinator). */
public record NodeLoad(boolean ready, boolean draining, long connections, long subscriptions, long rooms) {

    /** A node with nothing on it, ready. */
    public static final NodeLoad IDLE = new NodeLoad(true, false, 0, 0, 0);
}
