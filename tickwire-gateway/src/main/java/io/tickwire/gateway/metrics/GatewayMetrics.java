package io.tickwire.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.channel.EventLoop;
import io.tickwire.protocol.CloseCode;
import java.time.Duration;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * The gateway's meters, exposed in Prometheus format at {@code /metrics} (names in docs/operations.md).
 * Counts made per event and per subscriber go to the writing loop's {@link LoopMetrics}; the rest are
 * Micrometer meters, every tag drawn from a closed set (close codes, refusal reasons, configured kinds).
 */
public final class GatewayMetrics implements AutoCloseable {

    /** Why a WebSocket handshake was refused (the {@code reason} tag of the refusals counter). */
    public enum HandshakeRejection {
        ORIGIN, UNAUTHORIZED, VERIFIER_BUSY, NODE_FULL, USER_FULL, NODE_RATE, ADDRESS_RATE, DRAINING, BAD_REQUEST,
        /** {@code server.proxy-protocol} is on and the connection did not start with a valid PROXY header. */
        PROXY_HEADER,
        /** Closed as accepted: the node already held {@code server.max-pending-connections} unknown connections. */
        NODE_PENDING,
        /** Closed as accepted: its address already held {@code server.address-max-pending-connections}. */
        ADDRESS_PENDING,
        /** Neither upgraded nor authenticated within {@code ws.handshake-timeout-ms}: closed. */
        HANDSHAKE_TIMEOUT,
        /** The node had not yet loaded the farm's revocations (its first second or two): 503, retry after 1 s. */
        STARTING
    }

    /** What a subscribe with {@code resume} got (the {@code outcome} tag of the resumes counter). */
    public enum ResumeOutcome {
        /** Missed events replayed (reliable) or the newer snapshot sent (conflate). */
        REPLAYED,
        /** The client already had the latest event. */
        UP_TO_DATE,
        /** {@code reset}: history gone or position ahead of the room. */
        RESET_HISTORY_UNAVAILABLE,
        /** {@code reset}: the history restarted under a new epoch. */
        RESET_EPOCH_CHANGED
    }

    /** An operator's action through the admin API (the {@code action} tag of the operator actions counter). */
    public enum OperatorAction {
        DISCONNECT, REVOKE, REVOKE_REFUSED, DRAIN
    }

    /** Tag for a close code a client sent that the contract does not name, or a close without a code. */
    private static final String OTHER = "other";
    /** RFC 6455 §7.1.5: the connection closed without a close frame. */
    public static final int ABNORMAL_CLOSURE = 1006;

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger subscriptions = new AtomicInteger();
    private final LoopMetrics[] loops;
    private final double[] loopLagSeconds;
    private final Counter opened;
    private final Map<String, Counter> closedByServer = new HashMap<>();
    private final Map<String, Counter> closedByClient = new HashMap<>();
    private final EnumMap<HandshakeRejection, Counter> rejected = new EnumMap<>(HandshakeRejection.class);
    private final EnumMap<ResumeOutcome, Counter> resumes = new EnumMap<>(ResumeOutcome.class);
    private final Map<String, Counter> publishedByKind = new HashMap<>();
    private final String[] kindNames;
    private final Counter[] receivedByKind;
    private final Map<String, Counter> authFailures = new HashMap<>();
    private final EnumMap<OperatorAction, Counter> operatorActions = new EnumMap<>(OperatorAction.class);
    private final Counter loopOverflows;
    private final Counter rateLimited;
    private final Timer fanoutLatency;
    private final Timer publishToWrite;
    private final JvmGcMetrics gc = new JvmGcMetrics();

    /**
     * @param kinds the configured room kinds (tags of the per-kind counters)
     * @param loopCount the number of event loops (one {@link LoopMetrics} each)
     */
    public GatewayMetrics(Collection<String> kinds, int loopCount, Supplier<Number> rooms,
                          Supplier<Number> pendingOutboundBytes, Supplier<Number> maxPendingOutboundBytes) {
        this.loops = new LoopMetrics[loopCount];
        this.loopLagSeconds = new double[loopCount];
        for (int i = 0; i < loopCount; i++) {
            loops[i] = new LoopMetrics();
            int loop = i;
            Gauge.builder("tickwire.event.loop.lag", loopLagSeconds, lags -> lags[loop]).baseUnit("seconds")
                    .tag("loop", Integer.toString(i))
                    .description("time a task waited in the event loop's queue, at the last probe (every second)")
                    .register(registry);
        }
        Gauge.builder("tickwire.outbound.pending", pendingOutboundBytes, s -> s.get().doubleValue()).baseUnit("bytes")
                .strongReference(true)
                .description("bytes written to connections and not yet taken by their sockets").register(registry);
        Gauge.builder("tickwire.outbound.pending.max", maxPendingOutboundBytes, s -> s.get().doubleValue())
                .baseUnit("bytes").strongReference(true)
                .description("the most bytes any one connection has waiting (at most outbound.budget-bytes + one frame)")
                .register(registry);
        Gauge.builder("tickwire.connections", connections, AtomicInteger::get)
                .description("open WebSocket connections").register(registry);
        Gauge.builder("tickwire.subscriptions", subscriptions, AtomicInteger::get)
                .description("room subscriptions held by open connections").register(registry);
        Gauge.builder("tickwire.rooms", rooms, s -> s.get().doubleValue()).strongReference(true)
                .description("rooms held by this node").register(registry);
        opened = Counter.builder("tickwire.connections.opened")
                .description("WebSocket connections accepted (after the handshake and its checks)").register(registry);
        for (CloseCode code : CloseCode.values()) {
            closedCounters(Integer.toString(code.code()));
        }
        closedCounters(Integer.toString(ABNORMAL_CLOSURE));
        closedCounters(OTHER);
        for (HandshakeRejection r : HandshakeRejection.values()) {
            rejected.put(r, Counter.builder("tickwire.handshakes.rejected").tag("reason", tag(r))
                    .description("WebSocket handshakes refused, by reason").register(registry));
        }
        for (OperatorAction a : OperatorAction.values()) {
            operatorActions.put(a, Counter.builder("tickwire.operator.actions").tag("action", tag(a))
                    .description("admin API operations: disconnect, revoke, revoke_refused (list full), drain")
                    .register(registry));
        }
        for (ResumeOutcome o : ResumeOutcome.values()) {
            resumes.put(o, Counter.builder("tickwire.resumes").tag("outcome", tag(o))
                    .description("subscribes with a resume point, by outcome").register(registry));
        }
        this.kindNames = kinds.toArray(new String[0]);
        this.receivedByKind = new Counter[kindNames.length];
        for (int i = 0; i < kindNames.length; i++) {
            String kind = kindNames[i];
            publishedByKind.put(kind, Counter.builder("tickwire.events.published").tag("kind", kind)
                    .description("events accepted by the publish API (duplicates not counted)").register(registry));
            receivedByKind[i] = Counter.builder("tickwire.events.received").tag("kind", kind)
                    .description("events this node received from the event bus").register(registry);
        }
        loopCounter("tickwire.frames.delivered", "frames written to connections (events, replies, control)", l -> l.frames);
        loopCounter("tickwire.delivered", "bytes of frames written to connections", l -> l.bytes, "bytes");
        loopCounter("tickwire.events.delivered", "event and snapshot frames written to subscribers", l -> l.events);
        loopCounter("tickwire.events.conflated", "conflate-room states replaced by a newer one before they were sent",
                l -> l.conflated);
        loopCounter("tickwire.catchups", "live subscribers that could not take an event and went to their catch-up cursor",
                l -> l.catchUps);
        loopOverflows = Counter.builder("tickwire.fanout.loop.overflows")
                .description("times a room's live events went to catch-up because an event loop was too far behind")
                .register(registry);
        rateLimited = Counter.builder("tickwire.operations.rate.limited")
                .description("client operations refused (rate_limited) or connections closed (4029) for flooding")
                .register(registry);
        fanoutLatency = Timer.builder("tickwire.fanout.latency")
                .description("from an event's arrival from the bus to its frames written to an event loop's live subscribers")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(1_000))
                .maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
        publishToWrite = Timer.builder("tickwire.publish.to.write")
                .description("from an event's publish time (its ts, the bus's wall clock, ms) to its frames written")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60)).register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider provider) {
            new NettyAllocatorMetrics(provider).bindTo(registry);
        }
    }

    private void closedCounters(String code) {
        closedByServer.put(code, Counter.builder("tickwire.connections.closed").tags(Tags.of("code", code, "by", "server"))
                .description("WebSocket connections closed, by close code and by which side closed first")
                .register(registry));
        closedByClient.put(code, Counter.builder("tickwire.connections.closed").tags(Tags.of("code", code, "by", "client"))
                .description("WebSocket connections closed, by close code and by which side closed first")
                .register(registry));
    }

    private void loopCounter(String name, String description, ToLongFunction<LoopMetrics> field) {
        loopCounter(name, description, field, null);
    }

    private void loopCounter(String name, String description, ToLongFunction<LoopMetrics> field, String unit) {
        FunctionCounter.builder(name, loops, all -> {
            long sum = 0;
            for (LoopMetrics l : all) {
                sum += field.applyAsLong(l);
            }
            return sum;
        }).baseUnit(unit).description(description).register(registry);
    }

    private static String tag(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    /** The counts of event loop {@code index}; to be used on that loop only. */
    public LoopMetrics loop(int index) {
        return loops[index];
    }

    public AtomicInteger connections() {
        return connections;
    }

    public AtomicInteger subscriptions() {
        return subscriptions;
    }

    /** A connection was accepted and its session opened. */
    public void connectionOpened() {
        opened.increment();
        connections.incrementAndGet();
    }

    /**
     * A session ended. {@code code} is the close code it ended with ({@link #ABNORMAL_CLOSURE} when no close
     * frame was exchanged); {@code byServer} tells whether the gateway closed first.
     */
    public void connectionClosed(int code, boolean byServer) {
        connections.decrementAndGet();
        String tag = Integer.toString(code);
        Map<String, Counter> counters = byServer ? closedByServer : closedByClient;
        Counter c = counters.get(tag);
        (c != null ? c : counters.get(OTHER)).increment();
    }

    public void handshakeRejected(HandshakeRejection reason) {
        rejected.get(reason).increment();
    }

    public void operatorAction(OperatorAction action) {
        operatorActions.get(action).increment();
    }

    /** Connections accepted and not yet upgraded nor authenticated (bounded by server.max-pending-connections). */
    public void pendingConnections(java.util.function.IntSupplier pending) {
        Gauge.builder("tickwire.connections.pending", pending, p -> p.getAsInt()).strongReference(true)
                .description("connections accepted and not yet upgraded to a WebSocket nor authenticated")
                .register(registry);
    }

    /** Gauges of node state: 1 while draining, and the revocation list's size. */
    public void nodeState(java.util.function.BooleanSupplier draining, java.util.function.IntSupplier revocations) {
        Gauge.builder("tickwire.draining", draining, d -> d.getAsBoolean() ? 1 : 0).strongReference(true)
                .description("1 while the node drains (not ready, refusing connections, closing with 1012)")
                .register(registry);
        Gauge.builder("tickwire.revocations", revocations, r -> r.getAsInt()).strongReference(true)
                .description("entries in this node's revocation list (bounded by auth.max-revocations)")
                .register(registry);
    }

    /**
     * The farm's gauges: {@code tickwire_bus_ready} (1 while the bus is connected and caught up),
     * {@code tickwire_coordination_up} (1 ok, 0 degraded, -1 off) and the revocations received from other nodes.
     */
    public <T> void farmState(java.util.function.BooleanSupplier busReady, java.util.function.IntSupplier coordination,
                              T revocations, java.util.function.ToDoubleFunction<T> received) {
        Gauge.builder("tickwire.bus.ready", busReady, b -> b.getAsBoolean() ? 1 : 0).strongReference(true)
                .description("1 while the event bus is connected and caught up; the node is not ready otherwise")
                .register(registry);
        Gauge.builder("tickwire.coordination.up", coordination, c -> c.getAsInt()).strongReference(true)
                .description("farm coordination (Redis): 1 ok, 0 degraded (this node works alone), -1 not configured")
                .register(registry);
        // a function counter holds its object weakly: the gateway holds revocations for its lifetime
        FunctionCounter.builder("tickwire.revocations.received", revocations, received)
                .description("revocations made on other nodes of the farm and applied here")
                .register(registry);
    }

    public void resumed(ResumeOutcome outcome) {
        resumes.get(outcome).increment();
    }

    /** {@code count} events of {@code kind} accepted by the publish API. */
    public void published(String kind, int count) {
        Counter c = publishedByKind.get(kind);
        if (c != null) {
            c.increment(count);
        }
    }

    /** One event of room {@code room} ({@code kind:key}) arrived from the bus; no allocation. */
    public void received(String room) {
        int colon = room.indexOf(':');
        for (int i = 0; i < kindNames.length; i++) {
            String kind = kindNames[i];
            if (kind.length() == colon && room.startsWith(kind)) {
                receivedByKind[i].increment();
                return;
            }
        }
    }

    /**
     * A token was refused; {@code reason} is one of a closed set of short words (see
     * {@code TokenVerifier.InvalidTokenException#reason}).
     */
    public void authFailed(String reason) {
        Counter c;
        synchronized (authFailures) {
            c = authFailures.computeIfAbsent(reason, r -> Counter.builder("tickwire.auth.failures").tag("reason", r)
                    .description("tokens refused (handshake, refresh, publish, admin), by reason").register(registry));
        }
        c.increment();
    }

    public Counter loopOverflows() {
        return loopOverflows;
    }

    public Counter rateLimited() {
        return rateLimited;
    }

    /**
     * An event's frames were written to one loop's live subscribers: {@code receivedNanos} is when the node
     * took it from the bus ({@link System#nanoTime()}), {@code publishedMillis} its publish timestamp.
     */
    public void delivered(long receivedNanos, long publishedMillis) {
        fanoutLatency.record(System.nanoTime() - receivedNanos, TimeUnit.NANOSECONDS);
        long sincePublish = System.currentTimeMillis() - publishedMillis;
        if (sincePublish >= 0) {
            publishToWrite.record(sincePublish, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Measures each loop's lag: how long a task submitted now waits before it runs. Call periodically from
     * a thread that is not an event loop.
     */
    public void probeLoopLag(EventLoop[] eventLoops) {
        for (int i = 0; i < eventLoops.length && i < loopLagSeconds.length; i++) {
            int loop = i;
            long submitted = System.nanoTime();
            try {
                eventLoops[i].execute(() -> loopLagSeconds[loop] = (System.nanoTime() - submitted) / 1e9);
            } catch (RejectedExecutionException e) {
                return; // shutting down
            }
        }
    }

    /** The Prometheus text exposition. */
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
