package io.tickwire.gateway.bus;

import io.tickwire.gateway.config.GatewayConfig;

/**
 * Makes the event bus named by {@code bus.type} when it is not the built-in {@code memory} bus. Implementations
 * live in their own modules ({@code tickwire-nats}) and are found with {@link java.util.ServiceLoader} through
 * {@code META-INF/services/io.tickwire.gateway.bus.EventBusProvider}, so the gateway needs no dependency on them.
 */
public interface EventBusProvider {

    /** The {@code bus.type} this provider makes, e.g. {@code nats}. */
    String type();

    /**
     * A connected bus for this node, not yet started.
     *
     * @throws BusUnavailableException if the bus cannot be reached or set up
     */
    EventBus create(GatewayConfig config);
}
