package io.tickwire.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * Coordinators for one test, as farm nodes sharing one Redis under a key prefix of their own (so tests never see
 * each other's keys), with fast settings: heartbeat 250 ms, node TTL 1.5 s, command timeout 750 ms (generous: two
 * shared cores must not make a live node flicker). Closes them all.
 */
final class TestNodes implements AutoCloseable {

    static final Duration HEARTBEAT = Duration.ofMillis(250);
    static final Duration TTL = Duration.ofMillis(1_500);
    static final Duration COMMAND_TIMEOUT = Duration.ofMillis(750);

    /** A revocation as a node's listener got it, with the time it arrived. */
    record Received(Revocation revocation, long atNanos) {}

    /** One node: its coordinator, what its listeners got, and the load it reports. */
    static final class Node {
        final RedisCoordinator coordinator;
        final BlockingQueue<Received> revocations = new LinkedBlockingQueue<>();
        final List<CoordinationState> states = new CopyOnWriteArrayList<>();
        final AtomicReference<NodeLoad> load = new AtomicReference<>(NodeLoad.IDLE);

        Node(CoordinatorSettings settings) {
            coordinator = new RedisCoordinator(settings, load::get,
                    r -> revocations.add(new Received(r, System.nanoTime())));
            coordinator.addStateListener(states::add);
        }
    }

    private final String url;
    private final String prefix = "test-" + UUID.randomUUID().toString().substring(0, 8) + ":";
    private final List<Node> nodes = new ArrayList<>();

    TestNodes(String url) {
        this.url = url;
    }

    CoordinatorSettings settings(String id) {
        return CoordinatorSettings.of(url, id).withKeyPrefix(prefix).withHeartbeat(HEARTBEAT, TTL)
                .withCommandTimeout(COMMAND_TIMEOUT);
    }

    /** Starts a node (returns at once: it connects in the background). */
    Node start(String id) {
        Node n = new Node(settings(id));
        nodes.add(n);
        n.coordinator.start();
        return n;
    }

    /** Starts a node and waits until its coordination is up. */
    Node startUp(String id) throws InterruptedException {
        Node n = start(id);
        await("node " + id + " up", 5_000, n.coordinator::up);
        return n;
    }

    @Override
    public void close() {
        nodes.forEach(n -> n.coordinator.close());
    }

    /** Polls {@code condition} every 20 ms; fails with {@code what} after {@code millis}. Returns the wait in ms. */
    static long await(String what, long millis, BooleanSupplier condition) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + millis * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + millis + " ms: " + what);
            }
            Thread.sleep(20);
        }
        return (System.nanoTime() - start) / 1_000_000;
    }
}
