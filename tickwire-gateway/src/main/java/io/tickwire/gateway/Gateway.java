package io.tickwire.gateway;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.tickwire.gateway.auth.TokenVerifier;
import io.tickwire.gateway.bus.EventBus;
import io.tickwire.gateway.bus.EventBuses;
import io.tickwire.gateway.cluster.Coordinator;
import io.tickwire.gateway.cluster.Coordinators;
import io.tickwire.gateway.cluster.FarmRevocations;
import io.tickwire.gateway.cluster.NodeStatus;
import io.tickwire.gateway.config.GatewayConfig;
import io.tickwire.gateway.demo.MarketSimulator;
import io.tickwire.gateway.fanout.Fanout;
import io.tickwire.gateway.http.DevApi;
import io.tickwire.gateway.http.Readiness;
import io.tickwire.gateway.metrics.GatewayMetrics;
import io.tickwire.gateway.room.RoomRegistry;
import io.tickwire.gateway.session.GatewayContext;
import io.tickwire.gateway.session.GracefulDrain;
import io.tickwire.gateway.session.SessionRegistry;
import io.tickwire.gateway.transport.GatewayServer;
import io.tickwire.protocol.ClientOpParser;
import io.tickwire.protocol.JsonWriter;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One gateway node, assembled from its configuration: event bus, rooms, fan-out, server, and in demo mode
 * the simulated market. {@link #start} returns a running node; {@link #drain} empties it gracefully;
 * {@link #close} stops it.
 */
public final class Gateway implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    private final GatewayConfig config;
    private final EventBus bus;
    private final RoomRegistry rooms;
    private final TokenVerifier tokens;
    private final GatewayServer server;
    private final ScheduledExecutorService maintenance;
    private final GatewayMetrics metrics;
    private final MarketSimulator simulator;
    private final SessionRegistry sessions = new SessionRegistry();
    private final GracefulDrain drain;
    private final int port;
    private final FarmRevocations revocations;
    private final Coordinator coordinator;
    private final long startedAt = System.currentTimeMillis();
    private volatile boolean ready;

    private Gateway(GatewayConfig config) throws InterruptedException {
        this.config = config;
        this.tokens = new TokenVerifier(config.auth()); // first: a bad key stops the start before threads exist
        this.revocations = new FarmRevocations(tokens.revocations(), sessions);
        EventBus b = null;
        Coordinator c = null;
        try {
            b = EventBuses.create(config); // memory, or a provider's (nats): connected, streams set up
            c = Coordinators.create(config, this::status, revocations::received);
            this.server = new GatewayServer(config.server()); // e.g. transport epoll where it is not available
        } catch (RuntimeException | Error e) { // NATS unreachable, a module missing: no thread left behind
            if (c != null) {
                c.close();
            }
            if (b != null) {
                b.close();
            }
            tokens.close();
            throw e;
        }
        this.bus = b;
        this.coordinator = c;
        this.rooms = new RoomRegistry(config.rooms().kinds(), bus, server.loops().size(),
                ByteBufAllocator.DEFAULT, System::currentTimeMillis);
        this.metrics = new GatewayMetrics(config.rooms().kinds().keySet(), server.loops().size(), rooms::size,
                server::pendingOutboundBytes, server::maxPendingOutboundBytes);
        tokens.reportFailuresTo(metrics::authFailed);
        this.drain = new GracefulDrain(sessions, config.drain().windowSeconds() * 1000);
        metrics.nodeState(drain::draining, tokens.revocations()::size);
        revocations.shareThrough(coordinator);
        metrics.farmState(() -> bus.ready(), () -> coordinator.state() == Coordinator.State.OK ? 1
                : coordinator.state() == Coordinator.State.DEGRADED ? 0 : -1, revocations, FarmRevocations::receivedCount);
        GatewayContext context = new GatewayContext(config, bus, rooms, tokens,
                new ClientOpParser(config.ws().maxJsonDepth()), metrics, sessions, drain, coordinator, revocations);
        bus.start(new Fanout(rooms, server.loops().loops(), metrics, System::currentTimeMillis));
        this.maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tickwire-maintenance");
            t.setDaemon(true);
            return t;
        });
        maintenance.scheduleWithFixedDelay(rooms::sweep, 5, 5, TimeUnit.SECONDS);
        maintenance.scheduleAtFixedRate(() -> metrics.probeLoopLag(server.loops().loops()), 1, 1, TimeUnit.SECONDS);
        maintenance.scheduleWithFixedDelay(tokens.revocations()::sweep, 60, 60, TimeUnit.SECONDS);
        boolean demo = config.mode() == GatewayConfig.Mode.DEMO;
        try {
            this.port = server.start(context, demo ? new DevApi(config) : null, readiness());
        } catch (Throwable e) { // e.g. unusable TLS files, port taken: leave no thread behind
            maintenance.shutdownNow();
            server.stop();
            tokens.close();
            coordinator.close();
            bus.close();
            metrics.close();
            throw e;
        }
        this.simulator = demo
                ? new MarketSimulator(bus, config.demo().symbols(), config.demo().updatesPerSecond(),
                        config.demo().accounts(), maintenance, new Random())
                : null;
        if (simulator != null) {
            simulator.start();
        }
        ready = true;
        coordinator.start();
        log.info("tickwire {} node {} listening on {}:{} ({}, {} event loops)", config.mode().name().toLowerCase(),
                config.nodeId(), config.server().host(), port, server.transportName(), server.loops().size());
        if ("io_uring".equals(server.transportName())) {
            log.warn("server.transport io_uring is experimental: under a million deliveries/s it stalled and events"
                    + " were seen out of order (docs/benchmarks.md); use epoll in production");
        }
    }

    /**
     * The node takes connections: started, not draining, its bus connected and caught up, and its first exchange
     * with the farm's coordination over (so that it knows the revocations made before it started).
     */
    public boolean ready() {
        return ready && !drain.draining() && bus.ready() && coordinator.settled();
    }

    private Readiness readiness() {
        return new Readiness() {
            @Override
            public boolean ready() {
                return Gateway.this.ready();
            }

            @Override
            public Report report() {
                boolean ok = ready();
                JsonWriter json = new JsonWriter(96).beginObject()
                        .field("status", ok ? "ready" : "not_ready")
                        .field("bus", bus.state())
                        .field("coordination", coordinator.settled() ? coordinator.state().word() : "starting");
                if (drain.draining()) {
                    json.field("draining", true);
                }
                return new Report(ok, json.endObject().toString());
            }
        };
    }

    /** This node as the farm's registry shows it. */
    private NodeStatus status() {
        return new NodeStatus(config.nodeId(), ready(), drain.draining(), metrics.connections().get(),
                metrics.subscriptions().get(), rooms.size(), startedAt);
    }

    /** Starts a node; the returned gateway is serving. */
    public static Gateway start(GatewayConfig config) throws InterruptedException {
        return new Gateway(config);
    }

    /** The bound port (useful with {@code server.port: 0}). */
    public int port() {
        return port;
    }

    public GatewayConfig config() {
        return config;
    }

    public EventBus bus() {
        return bus;
    }

    /** This node's coordination with the farm ({@link Coordinator#none()} without {@code cluster.redis.url}). */
    public Coordinator coordinator() {
        return coordinator;
    }

    public RoomRegistry rooms() {
        return rooms;
    }

    /**
     * Bytes written to connections and not yet taken by their sockets, summed over every connection: what
     * the {@code tickwire_outbound_pending_bytes} gauge reports (for diagnostics and tests).
     */
    public long pendingOutboundBytes() {
        return server.pendingOutboundBytes();
    }

    /** The worker event loops (for diagnostics and tests). */
    public EventLoop[] eventLoops() {
        return server.loops().loops();
    }

    /** The node's metrics in Prometheus text format, as {@code GET /metrics} serves them. */
    public String scrapeMetrics() {
        return metrics.scrape();
    }

    /** WebSocket connections open on this node. */
    public int connections() {
        return sessions.size();
    }

    /**
     * Starts the graceful drain ({@link GracefulDrain}) unless it has started already: the node turns not ready,
     * refuses new connections, and closes every connection with 1012 over {@code drain.window-seconds}.
     *
     * @return completes once the last connection is gone
     */
    public CompletableFuture<Void> drain() {
        return drain.start();
    }

    @Override
    public void close() {
        ready = false;
        if (simulator != null) {
            simulator.stop();
        }
        maintenance.shutdownNow();
        tokens.close(); // pending verifications answer while the event loops still run
        server.stop();
        coordinator.close(); // leaves the registry: the farm sees this node gone at once, not after the TTL
        bus.close();
        rooms.clear();
        metrics.close();
    }
}
