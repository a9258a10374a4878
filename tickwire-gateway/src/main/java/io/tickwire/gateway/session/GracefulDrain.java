package io.tickwire.gateway.session;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The graceful drain (on SIGTERM and {@code POST /api/v1/drain}). Once {@link #start started}, the node reports
 * itself not ready, refuses new connections (the upgrade asks {@link #draining}), and tells every session to
 * {@code reconnect}, closing it with 1012 about {@code after_ms} later while its subscriptions keep being served.
 *
 * <p>The closes are spread evenly over the window ({@code drain.window-seconds}), so that the other nodes take
 * the reconnections at a steady rate rather than all at once: the sessions are shuffled and the i-th of n closes
 * at a random time within the i-th n-th of the window. A session that opens while the drain runs (its handshake
 * was already past the check) gets a random time in what is left of the window.
 */
public final class GracefulDrain {

    private static final Logger log = LoggerFactory.getLogger(GracefulDrain.class);
    /** The {@code reason} of the {@code reconnect} message and of the 1012 close. */
    public static final String REASON = "draining";

    private final SessionRegistry sessions;
    private final long windowMillis;
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile long endsAtNanos;
    private final CompletableFuture<Void> drained = new CompletableFuture<>();

    public GracefulDrain(SessionRegistry sessions, long windowMillis) {
        if (windowMillis < 0) {
            throw new IllegalArgumentException("windowMillis must be at least 0, got " + windowMillis);
        }
        this.sessions = sessions;
        this.windowMillis = windowMillis;
    }

    /** True once the drain has started. */
    public boolean draining() {
        return started.get();
    }

    public long windowMillis() {
        return windowMillis;
    }

    /**
     * Starts the drain; later calls change nothing.
     *
     * @return completes once the last session is gone (the same future on every call)
     */
    public CompletableFuture<Void> start() {
        if (!started.compareAndSet(false, true)) {
            return drained;
        }
        endsAtNanos = System.nanoTime() + windowMillis * 1_000_000;
        List<Session> all = new ArrayList<>(sessions.all());
        Collections.shuffle(all);
        int n = all.size();
        log.info("draining: {} connections to close over {} ms", n, windowMillis);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < n; i++) {
            Session s = all.get(i);
            long afterMs = (long) ((i + random.nextDouble()) * windowMillis / n);
            try {
                s.channel().eventLoop().execute(() -> s.reconnect(afterMs));
            } catch (RejectedExecutionException e) {
                // the node is stopping: the session is closed with 1001 anyway
            }
        }
        sessions.whenEmpty().thenRun(() -> drained.complete(null));
        return drained;
    }

    /** For a session opening during the drain: a random delay within what is left of the window. */
    long lateAfterMillis() {
        long leftMs = Math.max(0, (endsAtNanos - System.nanoTime()) / 1_000_000);
        return leftMs == 0 ? 0 : ThreadLocalRandom.current().nextLong(leftMs + 1);
    }
}
