package io.tickwire.bench.storm;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.tickwire.bench.client.RetryPolicy;
import io.tickwire.bench.client.WsDialer;
import io.tickwire.bench.client.WsEnd;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;

/**
 * The storm's clients on one shared event-loop group ({@link WsDialer}): opened at a paced rate, cut all at
 * once with a TCP reset ({@link #cut}), and reconnected by each client on its own loop after the
 * {@link RetryPolicy}'s delay (full-jitter backoff; 429/503 after their {@code Retry-After}, 1013 after the delay
 * in its reason), resuming its room from its position. Counts what happened on the way.
 */
final class StormClients {

    private final WsDialer dialer;
    private final RetryPolicy policy;
    private final List<StormClient> all;
    private final List<List<StormClient>> byLoop = new ArrayList<>();
    private volatile boolean closing;
    private volatile boolean cutDone;
    private volatile long cutStartNanos;
    /** After {@link #kill}: attempts go to the surviving gateways. */
    private volatile boolean failover;

    private final AtomicInteger subscribed = new AtomicInteger();
    private final AtomicInteger resumed = new AtomicInteger();
    private final AtomicInteger gaveUp = new AtomicInteger();
    final AtomicLong connectionsCut = new AtomicLong();
    final AtomicLong resets = new AtomicLong();
    final AtomicLong unexpectedCloses = new AtomicLong();
    final AtomicLong connectFailures = new AtomicLong();
    final AtomicLong attemptsAfterCut = new AtomicLong();
    /** Refused upgrades by HTTP status, before the cut and after it. */
    final Map<Integer, LongAdder> refusedBeforeCut = new ConcurrentHashMap<>();
    final Map<Integer, LongAdder> refusedAfterCut = new ConcurrentHashMap<>();
    /** Close codes received from the gateway, and losses the bench did not cause (1006), after the cut. */
    final Map<Integer, LongAdder> closesAfterCut = new ConcurrentHashMap<>();

    StormClients(WsDialer dialer, RetryPolicy policy, List<StormClient> all) {
        this.dialer = dialer;
        this.policy = policy;
        this.all = all;
        EventLoop[] loops = dialer.loops();
        for (int i = 0; i < loops.length; i++) {
            byLoop.add(new ArrayList<>());
        }
        for (StormClient c : all) {
            byLoop.get(c.index % loops.length).add(c); // as WsDialer.loop(index)
        }
    }

    /** Starts every client at {@code perSecond}; returns when all were tried once. */
    void open(double perSecond) {
        long start = System.nanoTime();
        for (int i = 0; i < all.size(); i++) {
            long due = start + (long) (i * 1e9 / perSecond);
            long now = System.nanoTime();
            if (due > now) {
                LockSupport.parkNanos(due - now);
            }
            StormClient c = all.get(i);
            dialer.loop(c.index).execute(() -> dial(c));
        }
    }

    int subscribed() {
        return subscribed.get();
    }

    int resumed() {
        return resumed.get();
    }

    int gaveUp() {
        return gaveUp.get();
    }

    long cutStartNanos() {
        return cutStartNanos;
    }

    /** Waits until every client subscribed, or none more can, or the timeout; true if all did. */
    boolean awaitSubscribed(long timeoutNanos) throws InterruptedException {
        return await(subscribed::get, timeoutNanos);
    }

    /** Waits until every client resumed after the cut, or none more can, or the timeout; true if all did. */
    boolean awaitResumed(long timeoutNanos) throws InterruptedException {
        return await(resumed::get, timeoutNanos);
    }

    private boolean await(IntSupplier count, long timeoutNanos) throws InterruptedException {
        long end = System.nanoTime() + timeoutNanos;
        while (count.getAsInt() < all.size()) {
            if (System.nanoTime() > end || count.getAsInt() + gaveUp.get() >= all.size()) {
                return count.getAsInt() >= all.size();
            }
            Thread.sleep(5);
        }
        return true;
    }

    /**
     * Cuts every connection at once, as a failed network path would: SO_LINGER 0, then close, so the kernel
     * sends a TCP reset and no WebSocket close is exchanged. Each loop cuts its own clients in one task, all
     * loops at the same time. Returns the nanoseconds from the start of the cut to the last close.
     */
    long cut() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(byLoop.size());
        cutStartNanos = System.nanoTime();
        cutDone = true;
        EventLoop[] loops = dialer.loops();
        for (int i = 0; i < loops.length; i++) {
            List<StormClient> mine = byLoop.get(i);
            loops[i].execute(() -> {
                for (StormClient c : mine) {
                    cut(c);
                }
                done.countDown();
            });
        }
        done.await();
        return System.nanoTime() - cutStartNanos;
    }

    private void cut(StormClient c) {
        c.awaitingResume = true;
        c.live = false;
        c.target = -1;
        Channel ch = c.channel;
        if (ch != null && ch.isActive()) {
            c.cutting = true;
            ch.config().setOption(ChannelOption.SO_LINGER, 0);
            ch.close();
            connectionsCut.incrementAndGet();
        }
        // a client between attempts (none should be) reconnects on its schedule and resumes like the others
    }

    /**
     * The storm by a node's death instead of a network cut: every client is marked cut on its loop, then the
     * gateway process {@code pid} is killed (SIGKILL); its kernel ends the connections, and each client reconnects to
     * the other gateways: the first attempt to gateway 1 + (i mod (n - 1)), as clients given the nodes' URLs in a
     * shuffled order would, each later attempt to the next one. Returns the nanoseconds from the start to the kill.
     */
    long kill(long pid) throws InterruptedException {
        ProcessHandle node = ProcessHandle.of(pid).orElseThrow(() -> new IllegalArgumentException("no process " + pid));
        CountDownLatch done = new CountDownLatch(byLoop.size());
        cutStartNanos = System.nanoTime();
        cutDone = true;
        failover = true;
        EventLoop[] loops = dialer.loops();
        for (int i = 0; i < loops.length; i++) {
            List<StormClient> mine = byLoop.get(i);
            loops[i].execute(() -> {
                for (StormClient c : mine) {
                    c.awaitingResume = true;
                    c.live = false;
                    c.target = -1;
                    Channel ch = c.channel;
                    if (ch != null && ch.isActive()) {
                        c.cutting = true; // its end, by the node's death, is expected
                        connectionsCut.incrementAndGet();
                    }
                }
                done.countDown();
            });
        }
        done.await();
        if (!node.destroyForcibly()) {
            throw new IllegalStateException("could not kill process " + pid);
        }
        return System.nanoTime() - cutStartNanos;
    }

    private void dial(StormClient c) {
        if (closing || c.gaveUp) {
            return;
        }
        if (cutDone) {
            c.attemptsAfterCut++;
            attemptsAfterCut.incrementAndGet();
        }
        if (failover) {
            int others = dialer.targets() - 1;
            c.node = 1 + (c.index + c.attemptsAfterCut - 1) % others;
        }
        c.resumeSent = false;
        c.channel = dialer.dial(c.index, c.node, new StormHandler(dialer.handshaker(c.token, c.node), c, this)).channel();
    }

    void subscribed(StormClient c) {
        c.live = true;
        subscribed.incrementAndGet();
    }

    void welcomed(StormClient c) {
        if (c.awaitingResume && c.welcomedNanos == 0) {
            c.welcomedNanos = System.nanoTime();
        }
    }

    void resubscribed(StormClient c) {
        if (c.awaitingResume && c.resubscribedNanos == 0) {
            c.resubscribedNanos = System.nanoTime();
        }
    }

    void caughtUp(StormClient c) {
        c.live = true;
        c.target = -1;
        if (c.awaitingResume) {
            c.awaitingResume = false;
            if (!c.resumedOnce) {
                c.resumedOnce = true;
                c.resumedNanos = System.nanoTime();
                resumed.incrementAndGet(); // publishes the client's fields to the run thread
            }
        }
    }

    void reset(StormClient c) {
        resets.incrementAndGet();
        caughtUp(c); // live events follow a reset
    }

    void failed(StormClient c, String why) {
        c.failure = why;
        if (!c.gaveUp) {
            c.gaveUp = true;
            gaveUp.incrementAndGet();
        }
    }

    void ended(StormClient c, WsEnd end) {
        if (closing) {
            return;
        }
        boolean wasCut = c.cutting;
        c.cutting = false;
        boolean wasLive = c.live;
        c.live = false;
        if (wasLive && !wasCut) {
            unexpectedCloses.incrementAndGet();
            c.awaitingResume = true; // it resumes like the others; its time counts from the cut if after one
        }
        if (end.refused()) {
            (cutDone ? refusedAfterCut : refusedBeforeCut).computeIfAbsent(end.httpStatus(), k -> new LongAdder()).increment();
        } else if (end.reason().startsWith("connect failed")) {
            connectFailures.incrementAndGet();
        } else if (cutDone && !wasCut) {
            closesAfterCut.computeIfAbsent(end.closeCode(), k -> new LongAdder()).increment();
        }
        if (c.gaveUp) {
            return;
        }
        long delay = policy.delayMillis(end, c.retry, ThreadLocalRandom.current());
        if (delay == RetryPolicy.STOP) {
            failed(c, end.refused() ? end.reason() : "closed " + end.closeCode() + " " + end.reason());
            return;
        }
        dialer.loop(c.index).schedule(() -> dial(c), delay, TimeUnit.MILLISECONDS);
    }

    /** A failed client, if any: its failure. */
    String exampleFailure() {
        return all.stream().filter(c -> c.failure != null).findFirst().map(c -> "client " + c.index + ": " + c.failure)
                .orElse(null);
    }

    static Map<Integer, Long> counts(Map<Integer, LongAdder> adders) {
        Map<Integer, Long> out = new TreeMap<>();
        adders.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** Closes every connection politely (1000) and stops the loops. */
    void close() throws InterruptedException {
        closing = true;
        for (StormClient c : all) {
            Channel ch = c.channel;
            if (ch != null && ch.isActive()) {
                ch.writeAndFlush(new CloseWebSocketFrame(1000, "bench done")).addListener(ChannelFutureListener.CLOSE);
            }
        }
        dialer.close();
    }
}
