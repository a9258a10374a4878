package io.tickwire.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's part in the farm's coordination over Redis: the {@link NodeRegistry node registry}, the
 * {@link RevocationFeed revocations} that reach every node, and the {@link UserConnectionCounts per-user connection
 * counts} across nodes. Never on the delivery path: no method blocks or throws for Redis's sake; each answers with a
 * stage bounded by the command timeout, and while Redis is down calls fail fast (Lettuce rejects commands while
 * disconnected and its request queue is bounded), revocations stay pending and counts are rewritten later.
 *
 * <p>One thread ({@code tickwire-redis-<node>}) heartbeats every {@link CoordinatorSettings#heartbeat()}, connects
 * (a node may start while Redis is down), catches up after every reconnect (loads the active revocations, heals a
 * Redis that came back empty, rewrites this node's counts) and calls the listeners. The state is {@link
 * CoordinationState#OK} while heartbeats succeed on both connections, {@link CoordinationState#DEGRADED} otherwise
 * (one WARN when it degrades, one INFO when it recovers), {@link CoordinationState#OFF} before {@link #start()} and
 * after {@link #close()}. Stages complete on Lettuce's threads: callers must not block in their callbacks.
 */
public final class RedisCoordinator implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisCoordinator.class);

    /** Commands waiting for the connection beyond this fail at once (Lettuce's default is unbounded). */
    static final int REQUEST_QUEUE_SIZE = 1024;
    /** Lettuce reconnects after 50 ms, doubling up to this: Redis's return is noticed within a second or so. */
    static final Duration MAX_RECONNECT_DELAY = Duration.ofSeconds(1);

    private final CoordinatorSettings settings;
    private final Supplier<NodeLoad> load;
    private final Consumer<Revocation> revocationListener;
    private final long startedAt = System.currentTimeMillis();
    private final long timeoutMillis;
    private final RedisKeys keys;
    private final NodeRegistry registry;
    private final UserConnectionCounts counts;
    private final RevocationFeed feed;
    private final RedisURI uri;
    private final ClientResources resources;
    private final RedisClient client;
    private final ScheduledThreadPoolExecutor worker;
    private final List<Consumer<CoordinationState>> stateListeners = new CopyOnWriteArrayList<>();

    private volatile StatefulRedisConnection<String, String> connection;
    private volatile StatefulRedisPubSubConnection<String, String> pubsub;
    private final AtomicReference<CoordinationState> state = new AtomicReference<>(CoordinationState.OFF);
    private final AtomicBoolean tickRunning = new AtomicBoolean();
    /** Set at start, on every (re)connect and after any failure: the next heartbeat catches up first. */
    private final AtomicBoolean resyncNeeded = new AtomicBoolean(true);
    private final AtomicLong failedCountLookups = new AtomicLong();
    private volatile NodeLoad lastLoad = NodeLoad.IDLE;
    private volatile boolean everUp;
    private volatile boolean warnedUnreachable;
    private volatile boolean closed;
    private volatile boolean settled;

    /**
     * @param load this node's load, read at each heartbeat (on the coordinator's thread; must be cheap)
     * @param revocations receives each revocation made on another node, once, on the coordinator's thread (the gateway
     *                    adds it to its revocation list and closes the sessions it matches)
     * @throws IllegalArgumentException if the Redis URL is malformed
     */
    public RedisCoordinator(CoordinatorSettings settings, Supplier<NodeLoad> load, Consumer<Revocation> revocations) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.load = Objects.requireNonNull(load, "load");
        this.revocationListener = Objects.requireNonNull(revocations, "revocations");
        this.timeoutMillis = settings.commandTimeout().toMillis();
        long ttl = settings.nodeTtl().toMillis();
        this.keys = new RedisKeys(settings.keyPrefix());
        this.registry = new NodeRegistry(keys, settings.nodeId(), ttl);
        this.counts = new UserConnectionCounts(keys, settings.nodeId(), ttl);
        this.worker = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "tickwire-redis-" + settings.nodeId());
            t.setDaemon(true);
            return t;
        });
        this.worker.setRemoveOnCancelPolicy(true);
        this.feed = new RevocationFeed(keys, settings.nodeId(), settings.maxRevocations(), this::deliver);
        this.uri = RedisURI.create(settings.redisUrl());
        this.uri.setTimeout(settings.commandTimeout());
        this.resources = DefaultClientResources.builder()
                .ioThreadPoolSize(2) // Lettuce's minimum
                .computationThreadPoolSize(2)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(50), MAX_RECONNECT_DELAY, 2, TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources);
        this.client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .requestQueueSize(REQUEST_QUEUE_SIZE)
                .timeoutOptions(TimeoutOptions.enabled(settings.commandTimeout()))
                .socketOptions(SocketOptions.builder().connectTimeout(settings.commandTimeout().multipliedBy(2)).build())
                .build());
        this.client.addListener(new ConnectionEvents());
    }

    /** Starts heartbeating (the first at once) and connecting; returns at once, even if Redis is down. */
    public synchronized void start() {
        if (closed || state.get() != CoordinationState.OFF) {
            throw new IllegalStateException(closed ? "closed" : "already started");
        }
        changeState(CoordinationState.OFF, CoordinationState.DEGRADED);
        worker.scheduleWithFixedDelay(this::tick, 0, settings.heartbeat().toMillis(), TimeUnit.MILLISECONDS);
    }

    public CoordinationState state() {
        return state.get();
    }

    /**
     * True once the first heartbeat after {@link #start()} has ended, whether Redis answered or not, and the
     * revocations it loaded were handed to the listener: a node that reports ready only then refuses, from its
     * first connection, the tokens the farm revoked before it started (when Redis is up).
     */
    public boolean settled() {
        return settled;
    }

    /** True while coordination works (state {@link CoordinationState#OK}). */
    public boolean up() {
        return state.get() == CoordinationState.OK;
    }

    /** Called with the new state at each change, on the coordinator's thread (or the closing one, for OFF). */
    public void addStateListener(Consumer<CoordinationState> listener) {
        stateListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public String nodeId() {
        return settings.nodeId();
    }

    /**
     * The live nodes, this one included once it has heartbeaten, by id ({@code GET /api/v1/cluster}). Fails with
     * {@link CoordinationUnavailableException} if Redis does not answer in time.
     */
    public CompletionStage<List<NodeInfo>> nodes() {
        RedisAsyncCommands<String, String> redis = commands();
        if (redis == null) {
            return CompletableFuture.failedFuture(new CoordinationUnavailableException("not connected to Redis", null));
        }
        return bounded(guard(() -> registry.list(redis))).handle((nodes, e) -> {
            if (e != null) {
                throw new CompletionException(new CoordinationUnavailableException("listing the nodes failed: "
                        + describe(e), unwrap(e)));
            }
            return nodes;
        });
    }

    /**
     * Shares a revocation this node has applied: stores it with its forget-at time and publishes it. Never fails:
     * {@link Propagation#PENDING} means Redis did not take it now, and it goes out when coordination recovers.
     */
    public CompletionStage<Propagation> revoke(Revocation revocation) {
        Objects.requireNonNull(revocation, "revocation");
        feed.rememberOwn(revocation);
        RedisAsyncCommands<String, String> redis = commands();
        if (redis == null) {
            resyncNeeded.set(true);
            return CompletableFuture.completedFuture(Propagation.PENDING);
        }
        return bounded(guard(() -> feed.publish(redis, revocation))).handle((v, e) -> {
            if (e == null) {
                return Propagation.PUBLISHED;
            }
            resyncNeeded.set(true); // the catch-up writes it back
            log.debug("revocation pending: {}", describe(e));
            return Propagation.PENDING;
        });
    }

    /** A connection of {@code user} opened on this node (counted here at once, in Redis asynchronously). */
    public void connectionOpened(String user) {
        countChange(Objects.requireNonNull(user, "user"), 1);
    }

    /** A connection of {@code user} closed on this node. */
    public void connectionClosed(String user) {
        countChange(Objects.requireNonNull(user, "user"), -1);
    }

    private void countChange(String user, int delta) {
        try {
            counts.change(commands(), user, delta);
        } catch (RuntimeException e) { // a client-side refusal thrown rather than returned: counted locally all the same
            counts.markDirty();
        }
    }

    /**
     * {@code user}'s connections on the other live nodes. Fails open: on error or timeout it completes with
     * {@code known == false} and 0 (counted in {@link #failedCountLookups()}), never exceptionally.
     */
    public CompletionStage<RemoteConnections> connectionsElsewhere(String user) {
        Objects.requireNonNull(user, "user");
        RedisAsyncCommands<String, String> redis = commands();
        if (redis == null) {
            failedCountLookups.incrementAndGet();
            return CompletableFuture.completedFuture(RemoteConnections.UNKNOWN);
        }
        return bounded(guard(() -> registry.liveIds(redis).thenCompose(ids -> counts.elsewhere(redis, ids, user))))
                .handle((n, e) -> {
                    if (e != null) {
                        failedCountLookups.incrementAndGet();
                        return RemoteConnections.UNKNOWN;
                    }
                    return new RemoteConnections(n, true);
                });
    }

    /** Lookups of {@link #connectionsElsewhere} that failed open. */
    public long failedCountLookups() {
        return failedCountLookups.get();
    }

    /** Revocations remembered to heal Redis with (made here or received, still active). */
    public int rememberedRevocations() {
        return feed.remembered();
    }

    /**
     * Leaves the farm (removes this node's entry and counts, within the command timeout, if Redis answers) and
     * releases the connections and threads. A node that is killed instead disappears after the node TTL.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        worker.shutdownNow();
        StatefulRedisConnection<String, String> c = connection;
        if (c != null && c.isOpen()) {
            try {
                // A heartbeat being written now goes out before the goodbye (one connection keeps the order).
                worker.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS);
                RedisAsyncCommands<String, String> redis = c.async();
                CompletableFuture.allOf(registry.leave(redis), counts.leave(redis))
                        .get(timeoutMillis, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                log.debug("leaving the farm registry failed ({}); the entry expires after the node TTL", describe(e));
            }
        }
        release();
    }

    /** Stops like a killed process: no goodbye, the entry and counts expire after the node TTL. For tests. */
    void abandon() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        worker.shutdownNow();
        release();
    }

    private void release() {
        StatefulRedisPubSubConnection<String, String> ps = pubsub;
        StatefulRedisConnection<String, String> c = connection;
        if (ps != null) {
            ps.close();
        }
        if (c != null) {
            c.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3_000);
        CoordinationState old = state.getAndSet(CoordinationState.OFF);
        if (old != CoordinationState.OFF) {
            notifyState(CoordinationState.OFF);
        }
    }

    // ---- the coordinator's thread

    private void tick() {
        if (closed || !tickRunning.compareAndSet(false, true)) {
            return; // the previous tick is still waiting for Redis: its timeout bounds it
        }
        CompletableFuture<Void> work;
        try {
            work = connection == null || pubsub == null ? connect().thenCompose(v -> beat()) : beat();
        } catch (RuntimeException e) {
            work = CompletableFuture.failedFuture(e);
        }
        work.orTimeout(4 * timeoutMillis, TimeUnit.MILLISECONDS).whenComplete((v, e) -> {
            tickRunning.set(false);
            if (closed) {
                return;
            }
            if (!settled) {
                // after the revocations the catch-up loaded: they were queued to the worker before this
                executeQuietly(() -> settled = true);
            }
            StatefulRedisPubSubConnection<String, String> ps = pubsub;
            if (e == null && ps != null && ps.isOpen()) {
                recovered();
            } else {
                resyncNeeded.set(true);
                degraded(e != null ? describe(e) : "the pub/sub connection is down");
            }
        });
    }

    /** Opens whichever connection is missing (a node may start while Redis is down: retried at every tick). */
    private CompletableFuture<Void> connect() {
        CompletableFuture<Void> commands = CompletableFuture.completedFuture(null);
        if (connection == null) {
            commands = client.connectAsync(StringCodec.UTF8, uri).toCompletableFuture().thenAccept(c -> {
                synchronized (this) { // a slow connect outlived its tick and another raced it: keep one
                    if (closed || connection != null) {
                        c.closeAsync();
                    } else {
                        connection = c;
                    }
                }
            });
        }
        CompletableFuture<Void> feedConnection = CompletableFuture.completedFuture(null);
        if (pubsub == null) {
            feedConnection = client.connectPubSubAsync(StringCodec.UTF8, uri).toCompletableFuture().thenCompose(c -> {
                c.addListener(new RedisPubSubAdapter<>() {
                    @Override
                    public void message(String channel, String message) {
                        feed.onMessage(message);
                    }
                });
                // Lettuce subscribes again by itself after each reconnect.
                return c.async().subscribe(keys.revocationChannel()).toCompletableFuture().handle((v, e) -> {
                    synchronized (this) {
                        if (e != null || closed || pubsub != null) {
                            c.closeAsync();
                            if (e != null) {
                                throw new CompletionException(unwrap(e));
                            }
                        } else {
                            pubsub = c;
                        }
                    }
                    return null;
                });
            });
        }
        return CompletableFuture.allOf(commands, feedConnection);
    }

    /** Catches up if needed, then writes this node's entry and refreshes its counts. */
    private CompletableFuture<Void> beat() {
        RedisAsyncCommands<String, String> redis = connection.async();
        CompletableFuture<Void> catchUp = CompletableFuture.completedFuture(null);
        if (resyncNeeded.getAndSet(false)) {
            catchUp = feed.resync(redis).thenCompose(v -> counts.rewrite(redis)).whenComplete((v, e) -> {
                if (e != null) {
                    resyncNeeded.set(true);
                }
            });
        }
        NodeInfo self = NodeInfo.of(settings.nodeId(), currentLoad(), startedAt);
        return catchUp.thenCompose(v -> closed ? CompletableFuture.<Void>completedFuture(null) // must not follow leave()
                : CompletableFuture.allOf(registry.heartbeat(redis, self), counts.heartbeat(redis)));
    }

    private NodeLoad currentLoad() {
        try {
            NodeLoad l = load.get();
            if (l != null) {
                lastLoad = l;
            }
        } catch (RuntimeException e) {
            log.warn("the node load supplier failed; reporting the last load", e);
        }
        return lastLoad;
    }

    private void executeQuietly(Runnable task) {
        try {
            worker.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // closed: the node is leaving
        }
    }

    private void deliver(Revocation r) {
        try {
            worker.execute(() -> {
                try {
                    revocationListener.accept(r);
                } catch (RuntimeException e) {
                    log.warn("the revocation listener failed on {}", r, e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // closed: the node is leaving
        }
    }

    // ---- state

    private void recovered() {
        if (changeState(CoordinationState.DEGRADED, CoordinationState.OK)) {
            if (everUp) {
                log.info("coordination of node {} recovered: Redis at {} answers again, caught up", settings.nodeId(),
                        address());
            } else {
                log.info("coordination of node {} up: registered with Redis at {}", settings.nodeId(), address());
            }
            everUp = true;
            warnedUnreachable = false;
        }
    }

    private void degraded(String why) {
        if (changeState(CoordinationState.OK, CoordinationState.DEGRADED)) {
            log.warn("coordination of node {} degraded: {} (Redis at {}); delivery goes on, revocations and connection "
                    + "counts stay on this node until Redis returns", settings.nodeId(), why, address());
        } else if (!everUp && !warnedUnreachable && state.get() == CoordinationState.DEGRADED) {
            warnedUnreachable = true;
            log.warn("coordination of node {} degraded: cannot reach Redis at {} ({}); retrying every {} ms",
                    settings.nodeId(), address(), why, settings.heartbeat().toMillis());
        }
    }

    private boolean changeState(CoordinationState from, CoordinationState to) {
        if (closed || !state.compareAndSet(from, to)) {
            return false;
        }
        try {
            worker.execute(() -> notifyState(to));
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // closed meanwhile
        }
        return true;
    }

    private void notifyState(CoordinationState s) {
        for (Consumer<CoordinationState> l : stateListeners) {
            try {
                l.accept(s);
            } catch (RuntimeException e) {
                log.warn("a coordination state listener failed", e);
            }
        }
    }

    // ---- helpers

    private RedisAsyncCommands<String, String> commands() {
        StatefulRedisConnection<String, String> c = connection;
        return c == null || closed ? null : c.async();
    }

    /** Runs {@code op}, turning a client-side failure thrown at once into a failed stage: callers never see a throw. */
    private static <T> CompletableFuture<T> guard(Supplier<CompletableFuture<T>> op) {
        try {
            return op.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Bounds a composite operation (several commands, each under the command timeout). */
    private <T> CompletableFuture<T> bounded(CompletableFuture<T> f) {
        return f.orTimeout(2 * timeoutMillis, TimeUnit.MILLISECONDS);
    }

    private String address() {
        return uri.getHost() + ":" + uri.getPort();
    }

    private static Throwable unwrap(Throwable e) {
        while (e instanceof CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private static String describe(Throwable e) {
        Throwable t = unwrap(e);
        if (t instanceof java.util.concurrent.ExecutionException && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof java.util.concurrent.TimeoutException) {
            return "timed out";
        }
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    /** Any (re)connect means messages may have been missed or Redis restarted empty: catch up at once. */
    private final class ConnectionEvents implements RedisConnectionStateListener {
        @Override
        public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
            if (closed) {
                return;
            }
            resyncNeeded.set(true);
            try {
                worker.execute(RedisCoordinator.this::tick);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                // closed meanwhile
            }
        }

        @Override
        public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
            if (closed) {
                return;
            }
            resyncNeeded.set(true);
            degraded("the connection to Redis was lost");
        }
    }
}
