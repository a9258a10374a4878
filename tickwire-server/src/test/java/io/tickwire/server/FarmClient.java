package io.tickwire.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.tickwire.client.ConnectionState;
import io.tickwire.client.RoomListener;
import io.tickwire.client.StateChange;
import io.tickwire.client.Subscribed;
import io.tickwire.client.TickwireClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A real {@link TickwireClient} with everything it saw: each event as {@code (room, seq, epoch, pub, n, time)} (pub
 * and n from the {@link Publisher}'s data), snapshots, resets, ended subscriptions and every state change with its
 * time. All recorded on the client's thread, read by the test's.
 */
final class FarmClient implements AutoCloseable {

    /** One event; {@code epoch} is the room's epoch from its last {@code subscribed} or {@code reset}. */
    record Event(String room, long seq, String epoch, String pub, long n, long atNanos) {}

    /** One state change and when it happened. */
    record State(long atNanos, StateChange change) {}

    /** A reset of a room. */
    record Reset(String room, long seq, String epoch, String reason) {}

    final String name;
    final TickwireClient client;
    private final List<Event> events = new ArrayList<>();
    private final List<Event> snapshots = new ArrayList<>();
    private final List<Reset> resets = new ArrayList<>();
    private final List<String> unsubscribed = new ArrayList<>();
    private final List<State> states = new ArrayList<>();
    private final Map<String, String> epochs = new ConcurrentHashMap<>();
    private final Set<String> rooms = ConcurrentHashMap.newKeySet();

    /**
     * @param group the event loop to run on (null: the client's own thread)
     * @param urls the nodes' WebSocket URLs, tried in turn
     */
    FarmClient(String name, String token, EventLoopGroup group, String... urls) {
        this.name = name;
        TickwireClient.Builder b = TickwireClient.builder()
                .urls(urls)
                .tokenSupplier(() -> token)
                .backoff(Duration.ofMillis(100), Duration.ofSeconds(2), 2.0)
                .connectTimeout(Duration.ofSeconds(5))
                .stateListener(this::onState);
        if (group != null) {
            b.eventLoopGroup(group, NioSocketChannel.class);
        }
        this.client = b.build();
    }

    private void onState(StateChange change) {
        synchronized (this) {
            states.add(new State(System.nanoTime(), change));
        }
    }

    /** Connects and subscribes to {@code rooms}; waits for every {@code subscribed}. */
    FarmClient connect(String... rooms) throws Exception {
        client.connect().get(20, TimeUnit.SECONDS);
        for (String room : rooms) {
            Subscribed s = client.subscribe(room, listener()).get(20, TimeUnit.SECONDS);
            this.rooms.add(room);
            epochs.putIfAbsent(room, s.epoch());
        }
        return this;
    }

    private RoomListener listener() {
        return new RoomListener() {
            @Override
            public void onEvent(String room, long seq, long ts, JsonNode data) {
                Event e = new Event(room, seq, epochs.get(room), data.path("pub").asText(), data.path("n").asLong(),
                        System.nanoTime());
                synchronized (FarmClient.this) {
                    events.add(e);
                }
            }

            @Override
            public void onSnapshot(String room, long seq, JsonNode data) {
                Event e = new Event(room, seq, epochs.get(room), data.path("pub").asText(), data.path("n").asLong(),
                        System.nanoTime());
                synchronized (FarmClient.this) {
                    snapshots.add(e);
                }
            }

            @Override
            public void onReset(String room, long seq, String epoch, String reason) {
                epochs.put(room, epoch);
                synchronized (FarmClient.this) {
                    resets.add(new Reset(room, seq, epoch, reason));
                }
            }

            @Override
            public void onUnsubscribed(String room, String reason) {
                synchronized (FarmClient.this) {
                    unsubscribed.add(room + ": " + reason);
                }
            }
        };
    }

    /** The rooms subscribed to. */
    Set<String> rooms() {
        return Set.copyOf(rooms);
    }

    /** The room's epoch as the client knows it (from subscribed, or the last reset). */
    String epoch(String room) {
        return epochs.get(room);
    }

    synchronized List<Event> events() {
        return List.copyOf(events);
    }

    synchronized List<Event> events(String room) {
        return events.stream().filter(e -> e.room().equals(room)).toList();
    }

    synchronized List<Reset> resets() {
        return List.copyOf(resets);
    }

    synchronized List<String> unsubscribed() {
        return List.copyOf(unsubscribed);
    }

    synchronized List<State> states() {
        return List.copyOf(states);
    }

    /** The counters of {@code pub} received in {@code room}, in arrival order (duplicates kept). */
    synchronized List<Long> counters(String room, String pub) {
        return events.stream().filter(e -> e.room().equals(room) && e.pub().equals(pub)).map(Event::n).toList();
    }

    /** Counters of {@code pub} in {@code room} received more than once. */
    long repeated(String room, String pub) {
        List<Long> got = counters(room, pub);
        return got.size() - new HashSet<>(got).size();
    }

    /** Counters of {@code published} not received in {@code room}. */
    long missing(String room, String pub, List<Long> published) {
        Set<Long> got = new HashSet<>(counters(room, pub));
        return published.stream().filter(n -> !got.contains(n)).count();
    }

    /** True when every counter of {@code published} arrived in {@code room}. */
    boolean hasAll(String room, String pub, List<Long> published) {
        return missing(room, pub, published) == 0;
    }

    /** The first time at or after {@code nanos} the client was CONNECTED, or -1. */
    synchronized long connectedAfter(long nanos) {
        return states.stream().filter(s -> s.atNanos() >= nanos && s.change().state() == ConnectionState.CONNECTED)
                .mapToLong(State::atNanos).findFirst().orElse(-1);
    }

    /** The first event received at or after {@code nanos}, or -1. */
    synchronized long firstEventAfter(long nanos) {
        return events.stream().filter(e -> e.atNanos() >= nanos).mapToLong(Event::atNanos).findFirst().orElse(-1);
    }

    /** The first time at or after {@code nanos} a connection ended with {@code code}, or -1. */
    synchronized long closedWith(int code, long nanos) {
        return states.stream().filter(s -> s.atNanos() >= nanos && s.change().closeCode() == code)
                .mapToLong(State::atNanos).findFirst().orElse(-1);
    }

    /** Per room, the seqs received are strictly increasing: the rooms where they are not. */
    synchronized Map<String, String> orderViolations() {
        Map<String, Long> last = new HashMap<>();
        Map<String, String> bad = new HashMap<>();
        for (Event e : events) {
            Long prev = last.put(e.room(), e.seq());
            if (prev != null && e.seq() <= prev) {
                bad.putIfAbsent(e.room(), "seq " + e.seq() + " after " + prev);
            }
        }
        return bad;
    }

    @Override
    public void close() {
        client.close();
    }

    @Override
    public String toString() {
        return name;
    }
}
