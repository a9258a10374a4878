package io.tickwire.server;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.PublishOptions;
import io.nats.client.api.PublishAck;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Publishes {@code {"pub":"<name>","n":<counter>}} to a list of rooms in turn at a steady rate, on its own thread, each
 * with {@code msg_id} {@code <name>-<n>}, and retries every event with the same id until it is stored: what a
 * well-behaved producer does, and what makes "lost" and "doubled" countable (every counter must arrive exactly once).
 * {@link #stop()} lets the event in hand finish (stored) so that the published counters are exactly those acked.
 */
final class Publisher implements AutoCloseable {

    /** One attempt to store an event; true when stored, false (or an exception) to try again. */
    interface Sender {
        boolean send(String room, String msgId, String data) throws Exception;
    }

    private static final Duration RETRY_PAUSE = Duration.ofMillis(50);
    private static final Duration STOP_LIMIT = Duration.ofSeconds(60);

    private final String name;
    private final List<String> rooms;
    private final long periodNanos;
    private final Sender sender;
    private final Map<String, List<Long>> published = new ConcurrentHashMap<>();
    private final AtomicLong retries = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable failure;
    private volatile String lastError = "";

    Publisher(String name, List<String> rooms, int perSecond, Sender sender) {
        this.name = name;
        this.rooms = List.copyOf(rooms);
        this.periodNanos = 1_000_000_000L / perSecond;
        this.sender = sender;
        for (String room : rooms) {
            published.put(room, java.util.Collections.synchronizedList(new ArrayList<>()));
        }
        this.thread = new Thread(this::run, "publisher-" + name);
        thread.setDaemon(true);
    }

    /** Publishes through JetStream with {@code Nats-Msg-Id: <room>/<msg_id>} (the gateway's id for HTTP publishes). */
    static Sender nats(Connection nc, String subjectPrefix) throws IOException {
        JetStream js = nc.jetStream();
        return (room, msgId, data) -> {
            PublishAck ack = js.publish(Subjects.of(subjectPrefix, room), data.getBytes(StandardCharsets.UTF_8),
                    PublishOptions.builder().messageId(room + "/" + msgId).streamTimeout(Duration.ofSeconds(2)).build());
            return ack.getSeqno() > 0;
        };
    }

    /**
     * Publishes with {@code POST /api/v1/publish} on the node {@code node} gives at each attempt; 200 is stored,
     * 503 and I/O failures are retried, anything else is a failure of the test.
     */
    static Sender http(Supplier<GatewayProcess> node) {
        String token = GatewayProcess.publisherToken();
        return (room, msgId, data) -> {
            String body = "{\"room\":\"" + room + "\",\"data\":" + data + ",\"msg_id\":\"" + msgId + "\"}";
            HttpResponse<String> r = node.get().post("/api/v1/publish", token, body);
            if (r.statusCode() == 200) {
                return true;
            }
            if (r.statusCode() == 503) {
                return false;
            }
            throw new AssertionError("publish " + body + " answered " + r.statusCode() + " " + r.body());
        };
    }

    Publisher start() {
        thread.start();
        return this;
    }

    private void run() {
        long t0 = System.nanoTime();
        long n = 0;
        try {
            while (running) {
                n++;
                String room = rooms.get((int) ((n - 1) % rooms.size()));
                String data = "{\"pub\":\"" + name + "\",\"n\":" + n + "}";
                String msgId = name + "-" + n;
                long giveUp = Long.MAX_VALUE;
                while (true) {
                    boolean stored;
                    try {
                        stored = sender.send(room, msgId, data);
                    } catch (AssertionError e) {
                        throw e;
                    } catch (InterruptedException e) {
                        throw e;
                    } catch (Exception e) {
                        stored = false;
                        lastError = e.toString();
                    }
                    if (stored) {
                        published.get(room).add(n);
                        break;
                    }
                    retries.incrementAndGet();
                    if (!running && giveUp == Long.MAX_VALUE) {
                        giveUp = System.nanoTime() + STOP_LIMIT.toNanos();
                    }
                    if (System.nanoTime() > giveUp) {
                        throw new IllegalStateException(name + ": event " + n + " not stored " + STOP_LIMIT
                                + " after stop (" + lastError + ")");
                    }
                    Thread.sleep(RETRY_PAUSE.toMillis());
                }
                long next = t0 + n * periodNanos;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
        } catch (Throwable e) {
            failure = e;
        }
    }

    /** Stops after the event in hand is stored; fails if the publisher failed. */
    void stop() throws InterruptedException {
        running = false;
        thread.join(STOP_LIMIT.toMillis() + 5_000);
        if (thread.isAlive()) {
            throw new AssertionError(name + " did not stop (" + lastError + ")");
        }
        if (failure != null) {
            throw new AssertionError(name + " failed", failure);
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }

    String name() {
        return name;
    }

    /** The counters stored in {@code room}, in order. */
    List<Long> published(String room) {
        synchronized (published.get(room)) {
            return List.copyOf(published.get(room));
        }
    }

    /** The rooms this publisher publishes to. */
    List<String> publishedRooms() {
        return rooms;
    }

    /** Events stored, all rooms. */
    long publishedCount() {
        return published.values().stream().mapToLong(List::size).sum();
    }

    /** Attempts that did not store the event (failed or refused), each followed by a retry. */
    long retries() {
        return retries.get();
    }

    Throwable failure() {
        return failure;
    }
}
