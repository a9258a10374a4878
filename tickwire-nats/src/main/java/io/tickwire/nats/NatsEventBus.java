package io.tickwire.nats;

import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.ErrorListener;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamOptions;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.PublishOptions;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.PublishAck;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import io.nats.client.impl.NatsMessage;
import io.tickwire.gateway.bus.BusEvent;
import io.tickwire.gateway.bus.BusUnavailableException;
import io.tickwire.gateway.bus.EventBus;
import io.tickwire.gateway.config.GatewayConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event bus of a farm: NATS JetStream, one stream per room kind ({@link StreamSetup}), rooms as subjects
 * ({@link SubjectCodec}), each event's {@code seq} its stream sequence and its {@code epoch} derived from the
 * stream's identity, so that every node gives the same event the same numbers.
 *
 * <ul>
 * <li>{@code publish} stores through JetStream with {@code Nats-Msg-Id: <room>/<msg_id>} (the stream deduplicates,
 *     per stream, while the contract deduplicates per room) and answers with the stream sequence; it fails at once
 *     with {@link BusUnavailableException} while NATS is not connected.
 * <li>{@code start} runs one {@link StreamTail} per stream: an ordered consumer delivering to the sink in stream
 *     order, recovered by the bus itself after a reconnect.
 * <li>{@code position}, {@code latest} and {@code readAfter} read JetStream ({@link HistoryReader}) on a bounded
 *     pool: at most {@code historyConcurrency} reads in flight and {@code historyQueue} waiting; beyond that a read
 *     fails at once with {@link BusUnavailableException}, so a reconnection storm cannot pile up requests.
 * </ul>
 */
public final class NatsEventBus implements EventBus {

    private static final Logger log = LoggerFactory.getLogger(NatsEventBus.class);

    private record KindStream(GatewayConfig.Kind kind, String stream, StreamConfiguration config, StreamTail tail) {}

    private final NatsBusSettings settings;
    private final SubjectCodec codec;
    private final Connection nc;
    private final JetStream js;
    private final JetStreamManagement jsm;
    private final HistoryReader history;
    private final Map<String, KindStream> streams = new LinkedHashMap<>();
    private final ThreadPoolExecutor readers;
    private final ExecutorService callbacks;
    private final ScheduledExecutorService control;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicLong rejectedReads = new AtomicLong();
    private final AtomicInteger recoveries = new AtomicInteger();
    private volatile boolean closed;

    /**
     * Connects to NATS and makes sure every kind's stream exists.
     *
     * @throws BusUnavailableException if NATS cannot be reached or its streams cannot be set up
     */
    public NatsEventBus(NatsBusSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.codec = new SubjectCodec(settings.subjectPrefix());
        this.callbacks = Executors.newSingleThreadExecutor(daemon("tickwire-nats-callbacks"));
        this.control = Executors.newSingleThreadScheduledExecutor(daemon("tickwire-nats-control"));
        AtomicInteger n = new AtomicInteger();
        this.readers = new ThreadPoolExecutor(settings.historyConcurrency(), settings.historyConcurrency(), 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(settings.historyQueue()),
                daemon(() -> "tickwire-nats-history-" + n.incrementAndGet()), new ThreadPoolExecutor.AbortPolicy());
        readers.allowCoreThreadTimeOut(true);
        Duration timeout = settings.requestTimeout();
        Options options = Options.builder()
                .servers(settings.urls().toArray(String[]::new))
                .connectionName("tickwire")
                .connectionTimeout(timeout)
                .maxReconnects(-1)
                .reconnectWait(Duration.ofMillis(250))
                .reconnectBufferSize(0) // nothing waits in jnats while disconnected: publish fails at once instead
                .connectionListener(this::onConnectionEvent)
                .errorListener(new ErrorListener() {
                    @Override
                    public void errorOccurred(Connection conn, String error) {
                        log.warn("NATS error: {}", error);
                    }

                    @Override
                    public void exceptionOccurred(Connection conn, Exception exp) {
                        log.debug("NATS connection exception", exp);
                    }
                })
                .build();
        Connection c = null;
        try {
            c = Nats.connect(options);
            JetStreamOptions jso = JetStreamOptions.builder().requestTimeout(timeout).build();
            this.nc = c;
            this.js = c.jetStream(jso);
            this.jsm = c.jetStreamManagement(jso);
            this.history = new HistoryReader(jsm, codec, settings.maxEventBytes());
            for (GatewayConfig.Kind kind : settings.kinds().values()) {
                String stream = settings.streamName(kind.name());
                StreamConfiguration config = StreamSetup.configFor(stream, codec.kindFilter(kind.name()), kind,
                        settings.dedupWindowSeconds(), settings.maxEventBytes());
                StreamInfo info = StreamSetup.ensure(jsm, config);
                StreamTail tail = new StreamTail(c, kind.name(), stream, codec.kindFilter(kind.name()),
                        kind.delivery() == GatewayConfig.Delivery.RELIABLE, codec, settings.maxEventBytes(), callbacks, info,
                        startAfter(kind, info));
                streams.put(kind.name(), new KindStream(kind, stream, config, tail));
            }
        } catch (IOException | JetStreamApiException | RuntimeException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            closeQuietly(c);
            shutdownExecutors();
            BusUnavailableException failure = new BusUnavailableException("cannot set up the NATS bus at "
                    + settings.urls() + ": " + e.getMessage());
            failure.initCause(e);
            throw failure;
        }
    }

    /**
     * Where a kind's tail starts: a conflate stream from its beginning (at most one message per room: every room's
     * latest value), a reliable one {@code warmupEvents} back from its end.
     */
    private long startAfter(GatewayConfig.Kind kind, StreamInfo info) {
        long first = info.getStreamState().getFirstSequence();
        long last = info.getStreamState().getLastSequence();
        if (kind.delivery() == GatewayConfig.Delivery.CONFLATE) {
            return 0;
        }
        return Math.max(0, Math.max(first - 1, last - settings.warmupEvents()));
    }

    // ---- EventBus ----

    @Override
    public CompletionStage<PublishResult> publish(String room, byte[] data, String msgId) {
        if (closed) {
            return CompletableFuture.failedFuture(new BusUnavailableException("event bus is closed"));
        }
        KindStream ks = streamOf(room);
        if (ks == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("no such room kind: " + room));
        }
        if (nc.getStatus() != Connection.Status.CONNECTED) {
            return CompletableFuture.failedFuture(new BusUnavailableException("NATS is not connected (" + nc.getStatus() + ")"));
        }
        Message message = NatsMessage.builder().subject(codec.subject(room)).data(data).build();
        PublishOptions.Builder po = PublishOptions.builder().expectedStream(ks.stream);
        if (msgId != null) {
            po.messageId(room + "/" + msgId);
        }
        CompletableFuture<PublishAck> ack;
        try {
            ack = js.publishAsync(message, po.build());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(unavailable("publish to " + room, e));
        }
        CompletableFuture<PublishResult> result = new CompletableFuture<>();
        ack.orTimeout(settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS).whenComplete((a, error) -> {
            if (error != null) {
                result.completeExceptionally(unavailable("publish to " + room, error));
            } else {
                result.complete(new PublishResult(room, a.getSeqno(), ks.tail.epoch(), a.isDuplicate()));
            }
        });
        return result;
    }

    @Override
    public void start(EventSink sink) {
        Objects.requireNonNull(sink, "sink");
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("already started");
        }
        for (KindStream ks : streams.values()) {
            try {
                ks.tail.start(sink);
            } catch (IOException | JetStreamApiException | RuntimeException e) {
                log.warn("cannot start consuming stream {} yet ({}); retrying", ks.stream, e.toString());
                scheduleRecovery(500);
            }
        }
    }

    /**
     * The room's last stored sequence, or, for a room with nothing stored, the stream's last sequence (where the
     * room's numbering will continue from: a resume from there after the room's first events is complete, which a
     * resume from 0 could not be shown to be once the stream has discarded anything). Completes once the live
     * stream delivered that far, which makes it consistent with the sink.
     */
    @Override
    public CompletionStage<RoomPosition> position(String room) {
        KindStream ks = streamOf(room);
        if (ks == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("no such room kind: " + room));
        }
        String subject = codec.subject(room);
        return read("position of " + room, () -> {
            MessageInfo last = history.last(ks.stream, subject);
            return last != null ? last.getSeq() : history.streamLastSeq(ks.stream);
        }).thenCompose(seq -> ks.tail.awaitDelivered(seq)
                .orTimeout(settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .handle((v, error) -> {
                    if (error != null) {
                        throw new CompletionException(unavailable("position of " + room, error));
                    }
                    return new RoomPosition(ks.tail.epoch(), seq);
                }));
    }

    @Override
    public CompletionStage<HistoryRead> readAfter(String room, long afterSeq, int max) {
        KindStream ks = streamOf(room);
        if (ks == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("no such room kind: " + room));
        }
        if (max < 1) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("max must be positive: " + max));
        }
        long perSubject = ks.config.getMaxMsgsPerSubject();
        return read("history of " + room, () -> history.readAfter(ks.stream, room, ks.tail.epoch(), afterSeq, max,
                ks.kind.historyEvents(), perSubject));
    }

    @Override
    public CompletionStage<BusEvent> latest(String room) {
        KindStream ks = streamOf(room);
        if (ks == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("no such room kind: " + room));
        }
        String subject = codec.subject(room);
        return read("latest of " + room, () -> {
            MessageInfo last = history.last(ks.stream, subject);
            return last == null ? null : history.toEvent(last, ks.tail.epoch());
        });
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (KindStream ks : streams.values()) {
            ks.tail.close();
        }
        closeQuietly(nc);
        shutdownExecutors();
    }

    // ---- state, for readiness and tests ----

    /** Connected, and every started tail live and caught up with where its stream was when it (re)started. */
    @Override
    public boolean ready() {
        if (closed || nc.getStatus() != Connection.Status.CONNECTED || !started.get()) {
            return false;
        }
        return streams.values().stream().allMatch(ks -> ks.tail.caughtUp());
    }

    /** History is read from JetStream: the gateway holds recent events of every room from the live stream. */
    @Override
    public boolean remoteHistory() {
        return true;
    }

    /** {@code ok}, {@code disconnected} (from NATS), {@code catching_up} (a tail behind its stream), {@code closed}. */
    @Override
    public String state() {
        if (closed) {
            return "closed";
        }
        if (nc.getStatus() != Connection.Status.CONNECTED) {
            return "disconnected";
        }
        return ready() ? "ok" : "catching_up";
    }

    /** The epoch this node gives the kind's events. */
    public String epoch(String kind) {
        KindStream ks = streams.get(kind);
        if (ks == null) {
            throw new IllegalArgumentException("no such room kind: " + kind);
        }
        return ks.tail.epoch();
    }

    /** The stream that holds the kind's rooms. */
    public String streamName(String kind) {
        return settings.streamName(kind);
    }

    public SubjectCodec subjects() {
        return codec;
    }

    /** Messages the live stream skipped because they are not events (bad subject or data). */
    public long skippedMessages() {
        return streams.values().stream().mapToLong(ks -> ks.tail.skipped()).sum();
    }

    /**
     * Jumps in a stream's sequence on this node's live stream: messages discarded before the node consumed them
     * (it lagged, or was cut off from NATS, by more than a room's retention). Expected in conflate kinds; in a
     * reliable kind the sink is told ({@code onGap}), so that the node's subscribers of the kind check the stream's
     * history from their position.
     */
    public long streamGaps(String kind) {
        KindStream ks = streams.get(kind);
        if (ks == null) {
            throw new IllegalArgumentException("no such room kind: " + kind);
        }
        return ks.tail.gaps();
    }

    /** History reads refused because the pool's queue was full. */
    public long rejectedReads() {
        return rejectedReads.get();
    }

    /** Completed recoveries after a reconnect. */
    public int recoveries() {
        return recoveries.get();
    }

    // ---- connection events and recovery ----

    private void onConnectionEvent(Connection conn, ConnectionListener.Events event) {
        switch (event) {
            case DISCONNECTED -> {
                log.warn("NATS disconnected: publishing fails and history reads fail until it is back");
                for (KindStream ks : streams.values()) {
                    ks.tail.suspend();
                }
            }
            case RECONNECTED -> {
                log.warn("NATS reconnected to {}", conn.getConnectedUrl());
                scheduleRecovery(0);
            }
            default -> log.debug("NATS connection event {}", event);
        }
    }

    private void scheduleRecovery(long delayMillis) {
        if (closed) {
            return;
        }
        try {
            control.schedule(this::recover, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    /** Re-reads every stream's identity and resumes its tail; retried until it succeeds or the bus closes. */
    private void recover() {
        if (closed || !started.get()) {
            return;
        }
        if (nc.getStatus() != Connection.Status.CONNECTED) {
            return; // the next RECONNECTED schedules it again
        }
        try {
            for (KindStream ks : streams.values()) {
                ks.tail.resume(StreamSetup.ensure(jsm, ks.config));
            }
            recoveries.incrementAndGet();
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            log.warn("cannot resume consuming yet ({}); retrying", e.toString());
            scheduleRecovery(500);
        }
    }

    // ---- helpers ----

    private interface Read<T> {
        T call() throws IOException, JetStreamApiException;
    }

    /** Runs a blocking JetStream read on the bounded pool; refused at once when NATS is down or the queue is full. */
    private <T> CompletableFuture<T> read(String what, Read<T> read) {
        if (closed) {
            return CompletableFuture.failedFuture(new BusUnavailableException("event bus is closed"));
        }
        if (nc.getStatus() != Connection.Status.CONNECTED) {
            return CompletableFuture.failedFuture(new BusUnavailableException("NATS is not connected (" + nc.getStatus() + ")"));
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            readers.execute(() -> {
                try {
                    result.complete(read.call());
                } catch (Exception e) {
                    result.completeExceptionally(unavailable(what, e));
                }
            });
        } catch (RejectedExecutionException e) {
            rejectedReads.incrementAndGet();
            return CompletableFuture.failedFuture(new BusUnavailableException(
                    "too many JetStream reads waiting (" + settings.historyQueue() + "): " + what));
        }
        return result;
    }

    private KindStream streamOf(String room) {
        int colon = room == null ? -1 : room.indexOf(':');
        return colon <= 0 ? null : streams.get(room.substring(0, colon));
    }

    private static RuntimeException unavailable(String what, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof BusUnavailableException b) {
            return b;
        }
        if (cause instanceof IllegalArgumentException i) {
            return i;
        }
        String reason = cause instanceof TimeoutException ? "no answer in time" : String.valueOf(cause.getMessage());
        BusUnavailableException e = new BusUnavailableException(what + " failed: " + reason);
        e.initCause(cause);
        return e;
    }

    private void shutdownExecutors() {
        readers.shutdownNow();
        control.shutdownNow();
        callbacks.shutdown();
    }

    private static void closeQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException ignored) {
            // closing anyway
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return daemon(() -> name);
    }

    private static java.util.concurrent.ThreadFactory daemon(java.util.function.Supplier<String> name) {
        return r -> {
            Thread t = new Thread(r, name.get());
            t.setDaemon(true);
            return t;
        };
    }
}
