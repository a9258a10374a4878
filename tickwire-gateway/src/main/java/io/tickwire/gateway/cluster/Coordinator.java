package io.tickwire.gateway.cluster;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * This node's part in a farm's coordination (node registry, revocations, connections per user across nodes).
 * Never on the delivery path: no method blocks or throws for the coordination's sake, and while it is down the
 * node keeps serving alone. {@link #none()} is the single node's; {@code tickwire-redis} provides the farm's
 * through a {@link CoordinatorProvider}.
 */
public interface Coordinator extends AutoCloseable {

    /** Coordination's state, for {@code /health/ready} and {@code /api/v1/cluster}. */
    enum State {
        /** The farm's store answers. */
        OK,
        /** Configured but unreachable: this node works alone and catches up when it returns. */
        DEGRADED,
        /** Not configured (a single node), or stopped. */
        OFF;

        /** As shown in JSON: {@code ok}, {@code degraded}, {@code off}. */
        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Starts heartbeating; returns at once, even if the store is down. */
    void start();

    State state();

    /**
     * False until the first exchange with the farm's store after {@link #start()} has ended (answered or failed),
     * and what it brought (the farm's revocations) applied: the node is not ready before, so that it refuses
     * tokens revoked before it started from its first connection on.
     */
    default boolean settled() {
        return true;
    }

    /** The farm's live nodes, this one included once it has announced itself; fails if the store does not answer. */
    CompletionStage<List<NodeStatus>> nodes();

    /**
     * Shares a revocation this node has applied, so that every node applies it. Never fails: completes with false
     * when the store did not take it now (it is sent when coordination recovers).
     */
    CompletionStage<Boolean> share(FarmRevocation revocation);

    /** A connection of {@code user} opened on this node. */
    void connectionOpened(String user);

    /** A connection of {@code user} closed on this node. */
    void connectionClosed(String user);

    /**
     * {@code user}'s connections on the farm's other live nodes; -1 when unknown (the store failed or was slow: the
     * caller admits). Never completes exceptionally.
     */
    CompletionStage<Integer> connectionsElsewhere(String user);

    /** Leaves the farm (this node's entry and counts removed if the store answers) and releases resources. */
    @Override
    void close();

    /** A single node's coordinator: state {@link State#OFF}, itself the only node, nothing shared. */
    static Coordinator none() {
        return NoCoordinator.INSTANCE;
    }
}
