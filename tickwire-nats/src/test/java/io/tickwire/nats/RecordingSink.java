package io.tickwire.nats;

import io.tickwire.gateway.bus.BusEvent;
import io.tickwire.gateway.bus.EventBus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A sink that keeps everything, notices a room's events delivered concurrently, and waits for conditions. */
final class RecordingSink implements EventBus.EventSink {

    private static final Pattern COUNTER = Pattern.compile("\"n\":(\\d+)");

    private final List<BusEvent> events = new ArrayList<>();
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    final AtomicBoolean overlapped = new AtomicBoolean();

    @Override
    public void onEvent(BusEvent event) {
        AtomicInteger busy = inFlight.computeIfAbsent(event.room(), r -> new AtomicInteger());
        if (busy.incrementAndGet() != 1) {
            overlapped.set(true);
        }
        synchronized (this) {
            events.add(event);
            notifyAll();
        }
        busy.decrementAndGet();
    }

    synchronized List<BusEvent> events() {
        return List.copyOf(events);
    }

    synchronized int size() {
        return events.size();
    }

    List<BusEvent> of(String room) {
        return events().stream().filter(e -> e.room().equals(room)).toList();
    }

    /** The publisher's counters ({@code "n":N} in data) of a room's events, in delivery order. */
    List<Long> counters(String room) {
        return of(room).stream().map(RecordingSink::counter).toList();
    }

    List<Long> seqs(String room) {
        return of(room).stream().map(BusEvent::seq).toList();
    }

    static long counter(BusEvent e) {
        Matcher m = COUNTER.matcher(new String(e.data(), StandardCharsets.UTF_8));
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** Waits until the events satisfy {@code done}; fails with what it has after {@code timeout}. */
    synchronized void await(Predicate<List<BusEvent>> done, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.test(events)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("timed out waiting for " + what + "; sink has " + events.size() + " events");
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    void awaitRoomCount(String room, int count, Duration timeout) throws InterruptedException {
        await(list -> list.stream().filter(e -> e.room().equals(room)).count() >= count, timeout,
                count + " events of " + room);
    }
}
