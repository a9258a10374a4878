package io.tickwire.gateway.fanout;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Deliveries queued to one event loop and not yet run: what {@link Fanout} bounds. */
final class LoopBacklog {

    final AtomicInteger tasks = new AtomicInteger();
    final AtomicLong bytes = new AtomicLong();

    void add(int frameBytes) {
        tasks.incrementAndGet();
        bytes.addAndGet(frameBytes);
    }

    void remove(int frameBytes) {
        tasks.decrementAndGet();
        bytes.addAndGet(-frameBytes);
    }
}
