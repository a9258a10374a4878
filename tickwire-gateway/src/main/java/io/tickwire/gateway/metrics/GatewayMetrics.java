package io.tickwire.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** The gateway's meters, exposed in Prometheus format at {@code /metrics}. */
public final class GatewayMetrics {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger subscriptions = new AtomicInteger();
    private final Counter published;
    private final Counter delivered;
    private final Counter closedSlow;
    private final Counter loopOverflows;
    private final Counter rateLimited;

    public GatewayMetrics(Supplier<Number> rooms, Supplier<Number> pendingOutboundBytes) {
        Gauge.builder("tickwire.outbound.pending.bytes", pendingOutboundBytes, s -> s.get().doubleValue())
                .strongReference(true)
                .description("bytes written to connections and not yet taken by their sockets").register(registry);
        Gauge.builder("tickwire.connections", connections, AtomicInteger::get)
                .description("open WebSocket connections").register(registry);
        Gauge.builder("tickwire.subscriptions", subscriptions, AtomicInteger::get)
                .description("room subscriptions held by open connections").register(registry);
        Gauge.builder("tickwire.rooms", rooms, s -> s.get().doubleValue()).strongReference(true)
                .description("rooms held by this node").register(registry);
        published = Counter.builder("tickwire.events.published").description("events accepted by the publish API")
                .register(registry);
        delivered = Counter.builder("tickwire.events.delivered")
                .description("event and snapshot frames written to connections").register(registry);
        loopOverflows = Counter.builder("tickwire.fanout.loop.overflows")
                .description("times a room's live events went to catch-up because an event loop was too far behind")
                .register(registry);
        rateLimited = Counter.builder("tickwire.operations.rate.limited")
                .description("client operations refused (rate_limited) or connections closed (4029) for flooding")
                .register(registry);
        closedSlow = Counter.builder("tickwire.connections.slow.closed")
                .description("connections closed with 4008 (fell out of history)").register(registry);
    }

    public AtomicInteger connections() {
        return connections;
    }

    public AtomicInteger subscriptions() {
        return subscriptions;
    }

    public Counter published() {
        return published;
    }

    public Counter delivered() {
        return delivered;
    }

    public Counter loopOverflows() {
        return loopOverflows;
    }

    public Counter rateLimited() {
        return rateLimited;
    }

    public Counter closedSlow() {
        return closedSlow;
    }

    /** The Prometheus text exposition. */
    public String scrape() {
        return registry.scrape();
    }
}
