package io.tickwire.gateway.bus;

import io.tickwire.gateway.config.ConfigException;
import io.tickwire.gateway.config.GatewayConfig;
import java.util.ServiceLoader;

/** Makes the bus {@code bus.type} names: the built-in in-memory bus, or one from an {@link EventBusProvider}. */
public final class EventBuses {

    private EventBuses() {}

    /**
     * @throws ConfigException if no provider on the class path makes {@code bus.type}
     * @throws BusUnavailableException if the bus cannot be reached or set up
     */
    public static EventBus create(GatewayConfig config) {
        String type = config.bus().type();
        if (type.equals("memory")) {
            return new InMemoryEventBus(config.rooms().kinds(), config.bus());
        }
        for (EventBusProvider provider : ServiceLoader.load(EventBusProvider.class, EventBuses.class.getClassLoader())) {
            if (provider.type().equals(type)) {
                return provider.create(config);
            }
        }
        throw new ConfigException("bus.type " + type + " needs the tickwire-" + type + " module on the class path:"
                + " run tickwire-server/target/tickwire.jar, which holds every bus");
    }
}
