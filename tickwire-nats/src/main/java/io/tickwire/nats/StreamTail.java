package io.tickwire.nats;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.JetStreamApiException;
import io.nats.client.Message;
import io.nats.client.MessageConsumer;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.OrderedConsumerConfiguration;
import io.nats.client.api.StreamInfo;
import io.nats.client.impl.NatsJetStreamMetaData;
import io.tickwire.gateway.bus.BusEvent;
import io.tickwire.gateway.bus.BusUnavailableException;
import io.tickwire.gateway.bus.EventBus;
import java.io.IOException;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's live view of one stream: an ordered consumer, on its own dispatcher thread (so one room's events never
 * reach the sink concurrently), that hands every message of the kind to the sink in stream order and remembers
 * the last sequence it delivered.
 *
 * <p>The tail, not jnats, owns recovery. jnats restarts an ordered consumer by itself after a reconnect, from the
 * sequence after the last one it saw; it cannot know whether the stream is still the same one, and would label a
 * recreated stream's messages with the old epoch. So on a disconnect the tail is suspended (late messages are
 * ignored, {@code delivered} is frozen, waiting positions fail), and after the reconnect the bus reads the stream's
 * info again and {@link #resume}s the tail: the same stream continues from {@code delivered + 1}, nothing skipped or
 * doubled; a recreated one starts from its beginning under its new epoch. Each consumer carries a generation so
 * that messages of a consumer replaced meanwhile are ignored.
 */
final class StreamTail {

    private static final Logger log = LoggerFactory.getLogger(StreamTail.class);

    enum State { IDLE, LIVE, SUSPENDED, CLOSED }

    private record Waiter(long seq, CompletableFuture<Void> done) {}

    private final Connection nc;
    private final String stream;
    private final String filter;
    /** Gaps matter in reliable kinds only: a conflate room may skip states. */
    private final boolean reliable;
    private final SubjectCodec codec;
    private final int maxEventBytes;
    private final Executor callbacks;
    private final Object lock = new Object();
    private final PriorityQueue<Waiter> waiters = new PriorityQueue<>((a, b) -> Long.compare(a.seq, b.seq));
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong restarts = new AtomicLong();
    private final AtomicLong gaps = new AtomicLong();

    // guarded by lock; volatile where read without it
    private EventBus.EventSink sink;
    private final String kind;
    private Dispatcher dispatcher;
    private MessageConsumer consumer;
    private int generation;
    private volatile State state = State.IDLE;
    private volatile String epoch;
    private volatile long delivered;
    /** The stream's last sequence when the tail (re)started: delivered at least this far = caught up. */
    private volatile long catchUpTo;
    /** Whether {@code delivered} is a message this tail saw, so that the next one should follow it directly. */
    private boolean continuous;

    /**
     * @param startAfter the tail delivers messages after this sequence: older ones count as delivered
     */
    StreamTail(Connection nc, String kind, String stream, String filter, boolean reliable, SubjectCodec codec,
               int maxEventBytes, Executor callbacks, StreamInfo info, long startAfter) {
        this.nc = nc;
        this.kind = kind;
        this.reliable = reliable;
        this.stream = stream;
        this.filter = filter;
        this.codec = codec;
        this.maxEventBytes = maxEventBytes;
        this.callbacks = callbacks;
        this.epoch = StreamSetup.epoch(info);
        this.delivered = startAfter;
        this.catchUpTo = info.getStreamState().getLastSequence();
    }

    String stream() {
        return stream;
    }

    String epoch() {
        return epoch;
    }

    long delivered() {
        return delivered;
    }

    State state() {
        return state;
    }

    /** Live, and delivered up to where the stream was when the tail (re)started. */
    boolean caughtUp() {
        return state == State.LIVE && delivered >= catchUpTo;
    }

    /** Messages skipped because their subject or data is not an event's. */
    long skipped() {
        return skipped.get();
    }

    long restarts() {
        return restarts.get();
    }

    /**
     * Times the stream's sequence jumped between two messages this tail delivered. The consumer's filter is the
     * stream's whole subject space, so a jump means messages were discarded (per-room limit, age) before the tail
     * reached them: in a reliable kind, some room may have lost events on this node without a visible gap.
     */
    long gaps() {
        return gaps.get();
    }

    /** Starts consuming after the start position given at construction. */
    void start(EventBus.EventSink sink) throws IOException, JetStreamApiException {
        int gen;
        long from;
        synchronized (lock) {
            if (state != State.IDLE) {
                throw new IllegalStateException("tail " + stream + " already started");
            }
            this.sink = sink;
            this.dispatcher = nc.createDispatcher();
            gen = ++generation;
            state = State.LIVE;
            from = delivered + 1;
        }
        consumeFrom(gen, from);
    }

    /** The connection is lost: ignore whatever still arrives, and fail waiting positions. */
    void suspend() {
        synchronized (lock) {
            if (state != State.LIVE) {
                return;
            }
            state = State.SUSPENDED;
            generation++;
            failWaiters(new BusUnavailableException("NATS connection lost"));
        }
    }

    /**
     * Continues after a reconnect, with the stream's info as read now: from {@code delivered + 1} if it is the
     * same stream, from its start under the new epoch if it was recreated.
     */
    void resume(StreamInfo info) throws IOException, JetStreamApiException {
        String nowEpoch = StreamSetup.epoch(info);
        MessageConsumer old;
        int gen;
        long from;
        synchronized (lock) {
            if (state == State.CLOSED || state == State.IDLE) {
                return;
            }
            old = consumer;
            consumer = null;
            gen = ++generation;
            if (!nowEpoch.equals(epoch)) {
                continuous = false;
                log.warn("stream {} was recreated: epoch {} becomes {}; the tail starts again from its first message",
                        stream, epoch, nowEpoch);
                epoch = nowEpoch;
                delivered = 0;
            }
            catchUpTo = info.getStreamState().getLastSequence();
            state = State.LIVE;
            from = delivered + 1;
        }
        closeQuietly(old);
        restarts.incrementAndGet();
        log.warn("bus reconnected; tail {} resumes at {}", stream, from);
        consumeFrom(gen, from);
    }

    /**
     * Completes once every message up to {@code seq} was delivered (at once if it already was); fails at once
     * while the tail is suspended.
     */
    CompletableFuture<Void> awaitDelivered(long seq) {
        synchronized (lock) {
            if (state == State.SUSPENDED || state == State.CLOSED) {
                return CompletableFuture.failedFuture(new BusUnavailableException("NATS connection lost"));
            }
            if (seq <= delivered) {
                return CompletableFuture.completedFuture(null);
            }
            Waiter w = new Waiter(seq, new CompletableFuture<>());
            waiters.add(w);
            w.done.whenComplete((v, e) -> {
                if (e != null) {
                    synchronized (lock) {
                        waiters.remove(w);
                    }
                }
            });
            return w.done;
        }
    }

    void close() {
        MessageConsumer old;
        Dispatcher d;
        synchronized (lock) {
            if (state == State.CLOSED) {
                return;
            }
            state = State.CLOSED;
            generation++;
            old = consumer;
            consumer = null;
            d = dispatcher;
            failWaiters(new BusUnavailableException("event bus is closed"));
        }
        closeQuietly(old);
        if (d != null) {
            try {
                nc.closeDispatcher(d);
            } catch (RuntimeException ignored) {
                // the connection is closing too
            }
        }
    }

    private void consumeFrom(int gen, long from) throws IOException, JetStreamApiException {
        OrderedConsumerConfiguration config = new OrderedConsumerConfiguration()
                .filterSubject(filter)
                .deliverPolicy(DeliverPolicy.ByStartSequence)
                .startSequence(Math.max(1, from));
        MessageConsumer c;
        try {
            c = nc.getStreamContext(stream).createOrderedConsumer(config)
                    .consume(dispatcher, msg -> onMessage(gen, msg));
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            synchronized (lock) {
                if (gen == generation && state == State.LIVE) {
                    state = State.SUSPENDED; // the bus retries the resume
                    generation++;
                    failWaiters(new BusUnavailableException("cannot consume stream " + stream));
                }
            }
            throw e;
        }
        synchronized (lock) {
            if (gen == generation) {
                consumer = c;
                return;
            }
        }
        closeQuietly(c); // suspended or closed meanwhile
    }

    private void onMessage(int gen, Message msg) {
        synchronized (lock) {
            if (gen != generation || state != State.LIVE) {
                return;
            }
            NatsJetStreamMetaData md = msg.metaData();
            long seq = md.streamSequence();
            if (seq <= delivered) {
                return;
            }
            if (continuous && seq > delivered + 1) {
                gaps.incrementAndGet();
                if (reliable) {
                    log.warn("stream {}: messages {}..{} were discarded before this node consumed them", stream,
                            delivered + 1, seq - 1);
                    try {
                        sink.onGap(kind, epoch, seq - 1);
                    } catch (RuntimeException e) {
                        log.error("event sink failed on the gap before {} seq {}", stream, seq, e);
                    }
                }
            }
            continuous = true;
            String room = codec.room(msg.getSubject());
            byte[] data = msg.getData();
            if (room != null && EventData.acceptable(data, maxEventBytes)) {
                try {
                    sink.onEvent(new BusEvent(room, seq, epoch, md.timestamp().toInstant().toEpochMilli(), data));
                } catch (RuntimeException e) {
                    log.error("event sink failed on {} seq {}", room, seq, e);
                }
            } else {
                skipped.incrementAndGet();
                log.debug("stream {} seq {}: skipped, not an event (subject {}, {} bytes)", stream, seq, msg.getSubject(),
                        data == null ? 0 : data.length);
            }
            delivered = seq;
            Waiter w;
            while ((w = waiters.peek()) != null && w.seq <= seq) {
                waiters.poll();
                CompletableFuture<Void> done = w.done;
                callbacks.execute(() -> done.complete(null));
            }
        }
    }

    private void failWaiters(RuntimeException cause) {
        Waiter w;
        while ((w = waiters.poll()) != null) {
            CompletableFuture<Void> done = w.done;
            callbacks.execute(() -> done.completeExceptionally(cause));
        }
    }

    private static void closeQuietly(MessageConsumer c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception ignored) {
            // a consumer of a lost connection: nothing left to release on the server that it will not expire
        }
    }
}
