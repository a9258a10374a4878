package io.tickwire.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/** Records what a client tells the application: room messages in order, and state changes with their time. */
final class Recorder implements RoomListener, StateListener {

    record Event(String room, long seq, JsonNode data) {}

    record Reset(String room, long seq, String epoch, String reason, int eventsBefore) {}

    record State(StateChange change, long nanos) {}

    final List<Event> events = new CopyOnWriteArrayList<>();
    final List<Event> snapshots = new CopyOnWriteArrayList<>();
    final List<Reset> resets = new CopyOnWriteArrayList<>();
    final List<String> unsubscribed = new CopyOnWriteArrayList<>();
    final List<State> states = new CopyOnWriteArrayList<>();
    final List<String> threads = new CopyOnWriteArrayList<>();

    @Override
    public void onEvent(String room, long seq, long ts, JsonNode data) {
        threads.add(Thread.currentThread().getName());
        events.add(new Event(room, seq, data));
    }

    @Override
    public void onSnapshot(String room, long seq, JsonNode data) {
        snapshots.add(new Event(room, seq, data));
    }

    @Override
    public void onReset(String room, long seq, String epoch, String reason) {
        resets.add(new Reset(room, seq, epoch, reason, events.size()));
    }

    @Override
    public void onUnsubscribed(String room, String reason) {
        unsubscribed.add(room + ":" + reason);
    }

    @Override
    public void onStateChange(StateChange change) {
        states.add(new State(change, System.nanoTime()));
    }

    /** The {@code n} counters of the events received, in order. */
    List<Long> counters() {
        List<Long> out = new ArrayList<>();
        events.forEach(e -> out.add(e.data().path("n").asLong()));
        return out;
    }

    List<State> statesOf(ConnectionState state) {
        return states.stream().filter(s -> s.change().state() == state).toList();
    }

    /** Waits until {@code condition} holds; fails after {@code timeout} with {@code what}. */
    static void await(Duration timeout, String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(10);
        }
    }
}
