package io.tickwire.gateway.cluster;

import io.tickwire.gateway.config.ConfigException;
import io.tickwire.gateway.config.GatewayConfig;
import java.util.Iterator;
import java.util.ServiceLoader;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** Makes the coordinator {@code cluster.*} asks for: none without a Redis URL, else the provider's. */
public final class Coordinators {

    private Coordinators() {}

    /** @throws ConfigException if a Redis URL is set and no provider is on the class path */
    public static Coordinator create(GatewayConfig config, Supplier<NodeStatus> self, Consumer<FarmRevocation> received) {
        if (!config.cluster().coordinated()) {
            return Coordinator.none();
        }
        Iterator<CoordinatorProvider> providers =
                ServiceLoader.load(CoordinatorProvider.class, Coordinators.class.getClassLoader()).iterator();
        if (!providers.hasNext()) {
            throw new ConfigException("cluster.redis.url needs the tickwire-redis module on the class path:"
                    + " run tickwire-server/target/tickwire.jar");
        }
        return providers.next().create(config, self, received);
    }
}
