package io.tickwire.bench.connections;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.tickwire.bench.client.RetryPolicy;
import io.tickwire.bench.client.WsDialer;
import io.tickwire.bench.client.WsEnd;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * The {@code connections} run's connections: opened at a paced rate from the calling thread, each retried by
 * the {@link RetryPolicy} when refused (429 and 503 after their {@code Retry-After}), failed or lost, and
 * counted once established.
 */
final class IdleConnections {

    private final WsDialer dialer;
    private final RetryPolicy policy;
    private final List<IdleConnection> all;
    private volatile boolean closing;

    private final AtomicInteger established = new AtomicInteger();
    final AtomicLong refused429 = new AtomicLong();
    final AtomicLong refused503 = new AtomicLong();
    final AtomicLong refusedOther = new AtomicLong();
    final AtomicLong connectFailures = new AtomicLong();
    final AtomicLong lostAfterEstablished = new AtomicLong();
    final AtomicLong subscribeErrors = new AtomicLong();
    final AtomicLong gaveUp = new AtomicLong();
    /** From a connection's first attempt to its being established, retries included, in microseconds. */
    final Histogram establishMicros = new ConcurrentHistogram(600_000_000L, 3);

    IdleConnections(WsDialer dialer, RetryPolicy policy, List<IdleConnection> all) {
        this.dialer = dialer;
        this.policy = policy;
        this.all = all;
    }

    /** Starts connections {@code from} (inclusive) to {@code to} at {@code perSecond}; returns when all were tried once. */
    void open(int from, int to, double perSecond) {
        long start = System.nanoTime();
        for (int i = from; i < to; i++) {
            long due = start + (long) ((i - from) * 1e9 / perSecond);
            long now = System.nanoTime();
            if (due > now) {
                LockSupport.parkNanos(due - now);
            }
            IdleConnection c = all.get(i);
            c.firstAttemptNanos = System.nanoTime();
            dialer.loop(i).execute(() -> dial(c));
        }
    }

    int established() {
        return established.get();
    }

    /** Waits until {@code count} are established, or {@code timeoutNanos} passed; true if they are. */
    boolean awaitEstablished(int count, long timeoutNanos) throws InterruptedException {
        long end = System.nanoTime() + timeoutNanos;
        while (established.get() < count) {
            if (System.nanoTime() > end || gaveUp.get() > 0) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /** A connection that failed for good, if any: its failure. */
    String exampleFailure() {
        return all.stream().filter(c -> c.failure != null).findFirst().map(c -> "connection " + c.index + ": " + c.failure)
                .orElse(null);
    }

    private void dial(IdleConnection c) {
        if (closing) {
            return;
        }
        c.attempts++;
        c.channel = dialer.dial(c.index, new IdleHandler(dialer.handshaker(c.token), c, this)).channel();
    }

    void established(IdleConnection c) {
        c.established = true;
        establishMicros.recordValue((System.nanoTime() - c.firstAttemptNanos) / 1000);
        established.incrementAndGet();
    }

    void subscribeFailed(IdleConnection c) {
        c.subscribeRefused = true; // forbidden, not_found...: the run's settings are wrong, retrying cannot help
        subscribeErrors.incrementAndGet();
    }

    void ended(IdleConnection c, WsEnd end) {
        if (closing) {
            return;
        }
        if (c.established) {
            c.established = false;
            established.decrementAndGet();
            lostAfterEstablished.incrementAndGet();
            c.firstAttemptNanos = System.nanoTime();
        }
        if (end.refused()) {
            (end.httpStatus() == 429 ? refused429 : end.httpStatus() == 503 ? refused503 : refusedOther).incrementAndGet();
        } else if (end.reason().startsWith("connect failed")) {
            connectFailures.incrementAndGet();
        }
        long delay = c.subscribeRefused ? RetryPolicy.STOP
                : policy.delayMillis(end, c.retry, ThreadLocalRandom.current());
        if (delay == RetryPolicy.STOP) {
            if (c.failure == null) {
                c.failure = end.refused() ? end.reason() : "closed " + end.closeCode() + " " + end.reason();
            }
            gaveUp.incrementAndGet();
            return;
        }
        dialer.loop(c.index).schedule(() -> dial(c), delay, TimeUnit.MILLISECONDS);
    }

    /** Closes every connection politely (1000) and stops the loops. */
    void close() throws InterruptedException {
        closing = true;
        for (IdleConnection c : all) {
            Channel ch = c.channel;
            if (ch != null && ch.isActive()) {
                ch.writeAndFlush(new CloseWebSocketFrame(1000, "bench done")).addListener(ChannelFutureListener.CLOSE);
            }
        }
        dialer.close();
    }
}
