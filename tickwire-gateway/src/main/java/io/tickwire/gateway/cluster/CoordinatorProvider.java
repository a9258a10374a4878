package io.tickwire.gateway.cluster;

import io.tickwire.gateway.config.GatewayConfig;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Makes the farm's {@link Coordinator} when {@code cluster.redis.url} is set. Found with
 * {@link java.util.ServiceLoader} ({@code META-INF/services/io.tickwire.gateway.cluster.CoordinatorProvider}) in
 * {@code tickwire-redis}, so the gateway needs no dependency on it.
 */
public interface CoordinatorProvider {

    /**
     * A coordinator for this node, not yet started.
     *
     * @param self this node as the registry should show it, read at each heartbeat (must be cheap)
     * @param received each revocation made on another node, once (the node applies it and closes the sessions
     *                 it matches); called on the coordinator's thread
     */
    Coordinator create(GatewayConfig config, Supplier<NodeStatus> self, Consumer<FarmRevocation> received);
}
