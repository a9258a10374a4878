package io.tickwire.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A Tickwire client: one logical connection to a gateway farm that survives reconnects.
 *
 * <pre>{@code
 * TickwireClient client = TickwireClient.builder()
 *         .urls("wss://gw-1.example/ws", "wss://gw-2.example/ws")
 *         .tokenSupplier(auth::currentToken)
 *         .stateListener(change -> log.info("tickwire {}", change))
 *         .build();
 * client.connect();
 * client.subscribe("orders:42", (room, seq, ts, data) -> handle(data));
 * }</pre>
 *
 * <p>It connects to the configured URLs in turn, asking the token supplier for a token before each
 * attempt and answering {@code token_expiring} with {@code refresh}. When a connection ends it follows the
 * contract's close-code table: stop on 1000 and 4003, reconnect at once (0–1 s jitter) after a drain's 1012
 * and a first or second 4008, else with exponential backoff and full jitter; a connection silent for
 * {@link Builder#deadAfter} counts as lost. After each reconnect every room is resubscribed with
 * {@code resume} from its last {@code seq} and {@code epoch}, so a reliable room's listener sees each event
 * exactly once and in order, or {@link RoomListener#onReset} when the gateway cannot replay what was missed.
 *
 * <p>Thread-safe. All work, and every listener call, happens on one event loop thread per client, in order;
 * listeners must not block it (nor wait on this client's futures).
 */
public final class TickwireClient implements AutoCloseable {

    private static final System.Logger log = System.getLogger(TickwireClient.class.getName());

    private final ClientOptions options;
    private final EventLoopGroup ownGroup; // null when the application lent its own
    private final EventLoop loop;
    private final ReconnectPolicy policy;
    private final Subscriptions subscriptions;
    private final CompletableFuture<Void> firstConnect = new CompletableFuture<>();

    // Confined to the loop.
    private boolean started;
    private boolean stopped;
    private Connection connection; // the current attempt or connection
    private int urlIndex;
    private ScheduledFuture<?> retry;

    private volatile ConnectionState state = ConnectionState.CLOSED;
    private volatile long connections;

    private TickwireClient(ClientOptions options, EventLoopGroup sharedGroup) {
        this.options = options;
        this.ownGroup = sharedGroup == null
                ? new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("tickwire-client", true),
                        NioIoHandler.newFactory())
                : null;
        this.loop = (sharedGroup != null ? sharedGroup : ownGroup).next();
        this.subscriptions = new Subscriptions(loop);
        Random random = new Random();
        this.policy = new ReconnectPolicy(new Backoff(options.backoffMin(), options.backoffMax(),
                options.backoffMultiplier(), random), random);
    }

    /** A builder; {@link Builder#urls} and a token supplier are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts connecting (once; later calls return the same future) and keeps connected until {@link #close}.
     *
     * @return completes at the first {@code welcome}; fails if the client stops before one
     */
    public CompletableFuture<Void> connect() {
        onLoop(() -> {
            if (!started && !stopped) {
                started = true;
                attempt();
            }
        }, firstConnect);
        return firstConnect;
    }

    /**
     * Subscribes to {@code room}; the subscription lasts until {@link #unsubscribe} or {@link #close}, across
     * reconnects. May be called before {@link #connect}.
     *
     * @return completes with the gateway's {@code subscribed}, or fails with a {@link TickwireServerException}
     *     carrying the gateway's {@code error} (e.g. {@code forbidden}), or with {@link IllegalStateException}
     *     if this client already holds the room or is closed
     */
    public CompletableFuture<Subscribed> subscribe(String room, RoomListener listener) {
        Objects.requireNonNull(room, "room");
        Objects.requireNonNull(listener, "listener");
        CompletableFuture<Subscribed> result = new CompletableFuture<>();
        onLoop(() -> {
            if (stopped) {
                result.completeExceptionally(new IllegalStateException("client is closed"));
            } else {
                subscriptions.subscribe(room, listener, result);
            }
        }, result);
        return result;
    }

    /**
     * Ends the subscription to {@code room}: its listener is called no more from now on.
     *
     * @return completes when the gateway confirmed, or at once when not connected or not subscribed
     */
    public CompletableFuture<Void> unsubscribe(String room) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        onLoop(() -> subscriptions.unsubscribe(room, result), result);
        return result;
    }

    /** The current state. */
    public ConnectionState state() {
        return state;
    }

    /** Events dropped because their {@code seq} was not above the room's position (none from a correct gateway). */
    public long duplicatesDropped() {
        return subscriptions.duplicatesDropped();
    }

    /** Connections established so far ({@code welcome}s received). */
    public long connections() {
        return connections;
    }

    /**
     * Closes the connection politely (1000), stops reconnecting, fails pending subscriptions, and releases
     * the client's own event loop. Idempotent.
     */
    @Override
    public void close() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        onLoop(() -> {
            stop(0, "closed by the application");
            done.complete(null);
        }, done);
        if (!loop.inEventLoop()) {
            try {
                done.get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                // already stopping; nothing more to do
            }
        }
        if (ownGroup != null) {
            var terminated = ownGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
            if (!loop.inEventLoop()) {
                terminated.awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
        }
    }

    // ---- connection lifecycle (on the loop) ----

    private void attempt() {
        retry = null;
        if (stopped) {
            return;
        }
        URI url = options.urls().get(urlIndex);
        setState(ConnectionState.CONNECTING, url, null, 0, "connecting");
        nextToken().whenComplete((token, error) -> onLoop(() -> {
            if (stopped || connection != null) {
                return;
            }
            if (error != null || token == null || token.isEmpty()) {
                ended(url, ConnectionEnd.lost("token supplier failed: " + (error != null ? error : "no token")));
            } else {
                connection = Connection.open(loop, url, token, options, events);
            }
        }, null));
    }

    private final Connection.Events events = new Connection.Events() {
        @Override
        public void onWelcome(Connection c, JsonNode welcome) {
            if (c != connection) {
                return;
            }
            policy.connected();
            connections++; // single writer: the loop
            setState(ConnectionState.CONNECTED, c.url(), null, 0, "welcome from " + welcome.path("node").asText("?"));
            firstConnect.complete(null);
            subscriptions.connected(c);
        }

        @Override
        public void onMessage(Connection c, JsonNode msg) {
            if (c != connection || subscriptions.handle(msg)) {
                return;
            }
            switch (msg.path("type").asText()) {
                case "token_expiring" -> refreshToken(c);
                case "error" -> log.log(System.Logger.Level.WARNING, "tickwire gateway error: {0}", msg);
                default -> {
                    // pong, refreshed, reconnect (the 1012 that follows says it all), and unknown types
                }
            }
        }

        @Override
        public void onEnd(Connection c, ConnectionEnd end) {
            if (c == connection) {
                connection = null;
                ended(c.url(), end);
            }
        }
    };

    private void ended(URI url, ConnectionEnd end) {
        subscriptions.disconnected();
        if (stopped) {
            return;
        }
        ReconnectPolicy.Decision next = policy.next(end);
        if (next.stop()) {
            stop(end.reportedCode(), end.reason());
            return;
        }
        urlIndex = (urlIndex + 1) % options.urls().size();
        setState(ConnectionState.RECONNECTING, url, Instant.now().plusMillis(next.delayMillis()), end.reportedCode(),
                end.reason());
        retry = loop.schedule(this::attempt, next.delayMillis(), TimeUnit.MILLISECONDS);
    }

    private void stop(int code, String reason) {
        if (stopped) {
            return;
        }
        stopped = true;
        if (retry != null) {
            retry.cancel(false);
        }
        URI url = null;
        if (connection != null) {
            url = connection.url();
            connection.close(ReconnectPolicy.NORMAL, "client closing");
            connection = null;
        }
        IllegalStateException closed = new IllegalStateException("client closed: " + reason);
        subscriptions.closed(closed);
        setState(ConnectionState.CLOSED, url, null, code, reason);
        firstConnect.completeExceptionally(closed);
    }

    private CompletionStage<String> nextToken() {
        try {
            return Objects.requireNonNull(options.tokens().get(), "token supplier returned null");
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** {@code token_expiring}: a fresh token from the supplier keeps this connection authorised. */
    private void refreshToken(Connection c) {
        nextToken().whenComplete((token, error) -> onLoop(() -> {
            if (c == connection && error == null && token != null) {
                c.send(Messages.refresh(subscriptions.nextId(), token));
            } else if (error != null) {
                log.log(System.Logger.Level.WARNING, "tickwire token supplier failed on token_expiring", error);
            }
        }, null));
    }

    private void setState(ConnectionState next, URI url, Instant nextAttemptAt, int code, String reason) {
        state = next;
        StateListener listener = options.stateListener();
        if (listener != null) {
            StateChange change = new StateChange(next, url, nextAttemptAt, code, reason == null ? "" : reason);
            ListenerCalls.call(() -> listener.onStateChange(change));
        }
    }

    /** Runs {@code task} on the loop; if the loop is gone, fails {@code onReject} (if any). */
    private void onLoop(Runnable task, CompletableFuture<?> onReject) {
        if (loop.inEventLoop()) {
            task.run();
            return;
        }
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            if (onReject != null) {
                onReject.completeExceptionally(new IllegalStateException("client is closed", e));
            }
        }
    }

    /**
     * Configures a {@link TickwireClient}. Only {@link #urls} and a token supplier are required; every other
     * setting documents its default.
     */
    public static final class Builder {

        private final List<URI> urls = new ArrayList<>();
        private Supplier<? extends CompletionStage<String>> tokens;
        private TokenPlacement tokenPlacement = TokenPlacement.SUBPROTOCOL;
        private Duration backoffMin = Duration.ofMillis(250);
        private Duration backoffMax = Duration.ofSeconds(30);
        private double backoffMultiplier = 2.0;
        private Duration deadAfter;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private int maxMessageBytes = 1024 * 1024;
        private EventLoopGroup group;
        private Class<? extends SocketChannel> channelType = NioSocketChannel.class;
        private StateListener stateListener;

        private Builder() {}

        /** The gateways' WebSocket URLs ({@code ws://} or {@code wss://}, path included), tried in turn. Required. */
        public Builder urls(String... urls) {
            for (String u : urls) {
                this.urls.add(URI.create(u));
            }
            return this;
        }

        /** The gateways' WebSocket URLs, tried in turn. Required. */
        public Builder urls(List<URI> urls) {
            this.urls.addAll(urls);
            return this;
        }

        /**
         * Where tokens come from: called before every connection attempt and on {@code token_expiring}, on the
         * client's thread, so it should return quickly (a cached token). This or {@link #asyncTokenSupplier} is required.
         */
        public Builder tokenSupplier(Supplier<String> tokens) {
            Objects.requireNonNull(tokens, "tokens");
            this.tokens = () -> CompletableFuture.completedFuture(tokens.get());
            return this;
        }

        /** Like {@link #tokenSupplier}, for a supplier that fetches tokens asynchronously. */
        public Builder asyncTokenSupplier(Supplier<? extends CompletionStage<String>> tokens) {
            this.tokens = Objects.requireNonNull(tokens, "tokens");
            return this;
        }

        /** Where the token travels. Default {@link TokenPlacement#SUBPROTOCOL}. */
        public Builder tokenPlacement(TokenPlacement placement) {
            this.tokenPlacement = Objects.requireNonNull(placement, "placement");
            return this;
        }

        /**
         * Reconnect backoff: the n-th consecutive delay is drawn uniformly from
         * {@code [min, min(max, min * multiplier^(n+1))]}. Default 250 ms, 30 s, 2.
         */
        public Builder backoff(Duration min, Duration max, double multiplier) {
            new Backoff(min, max, multiplier, new Random()); // validates
            this.backoffMin = min;
            this.backoffMax = max;
            this.backoffMultiplier = multiplier;
            return this;
        }

        /** A connection that receives no frame (pings included) for this long is lost. Default 3 × the welcome's {@code heartbeat_ms}. */
        public Builder deadAfter(Duration deadAfter) {
            if (deadAfter.isNegative() || deadAfter.isZero()) {
                throw new IllegalArgumentException("deadAfter must be positive: " + deadAfter);
            }
            this.deadAfter = deadAfter;
            return this;
        }

        /** Limit for TCP connect, and again for the upgrade up to {@code welcome}. Default 10 s. */
        public Builder connectTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("connectTimeout must be positive: " + timeout);
            }
            this.connectTimeout = timeout;
            return this;
        }

        /** Largest message accepted from the gateway. Default 1 MiB. */
        public Builder maxMessageBytes(int maxMessageBytes) {
            if (maxMessageBytes < 1024) {
                throw new IllegalArgumentException("maxMessageBytes must be at least 1024: " + maxMessageBytes);
            }
            this.maxMessageBytes = maxMessageBytes;
            return this;
        }

        /**
         * Runs the client on one loop of the application's {@code group} (not shut down by {@link #close}), with
         * channels of {@code channelType} (e.g. {@code EpollSocketChannel} for an epoll group). Default: the
         * client's own one-thread NIO loop.
         */
        public Builder eventLoopGroup(EventLoopGroup group, Class<? extends SocketChannel> channelType) {
            this.group = Objects.requireNonNull(group, "group");
            this.channelType = Objects.requireNonNull(channelType, "channelType");
            return this;
        }

        /** Told every state change. Default none. */
        public Builder stateListener(StateListener listener) {
            this.stateListener = listener;
            return this;
        }

        public TickwireClient build() {
            if (urls.isEmpty()) {
                throw new IllegalArgumentException("urls: at least one gateway URL is required");
            }
            for (URI u : urls) {
                if (!"ws".equalsIgnoreCase(u.getScheme()) && !"wss".equalsIgnoreCase(u.getScheme()) || u.getHost() == null) {
                    throw new IllegalArgumentException("urls: not a ws:// or wss:// URL: " + u);
                }
                if (u.getQuery() != null && u.getQuery().contains("token=")) {
                    throw new IllegalArgumentException("urls: a token never travels in the URL: use tokenSupplier");
                }
            }
            if (tokens == null) {
                throw new IllegalArgumentException("tokenSupplier is required");
            }
            return new TickwireClient(new ClientOptions(List.copyOf(urls), tokens, tokenPlacement, backoffMin, backoffMax,
                    backoffMultiplier, deadAfter, connectTimeout, maxMessageBytes, channelType, stateListener), group);
        }
    }
}
