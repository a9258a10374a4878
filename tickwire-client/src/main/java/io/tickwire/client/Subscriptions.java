package io.tickwire.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/**
 * The client's rooms and everything about them on the wire: {@code subscribe} (calls made together go out
 * as one op), the resubscription with {@code resume} after every {@code welcome}, {@code unsubscribe}, and
 * the room messages ({@code subscribed}, {@code event}, {@code snapshot}, {@code reset},
 * {@code unsubscribed}, {@code error}). Confined to the client's event loop.
 */
final class Subscriptions {

    private final EventLoop loop;
    private final Map<String, RoomState> rooms = new LinkedHashMap<>();
    private final Map<Long, List<String>> subscribeOps = new HashMap<>();
    private final Map<Long, CompletableFuture<Void>> unsubscribeOps = new HashMap<>();
    private final List<RoomState> toSubscribe = new ArrayList<>();
    private Connection connection; // the connected connection (welcome received), else null
    private long nextId = 1;
    private volatile long duplicatesDropped;

    Subscriptions(EventLoop loop) {
        this.loop = loop;
    }

    /** A fresh operation id, for any op on the connection. */
    long nextId() {
        return nextId++;
    }

    long duplicatesDropped() {
        return duplicatesDropped;
    }

    void subscribe(String room, RoomListener listener, CompletableFuture<Subscribed> result) {
        if (rooms.containsKey(room)) {
            result.completeExceptionally(new IllegalStateException("already subscribed to " + room));
            return;
        }
        RoomState rs = new RoomState(room, listener, result);
        rooms.put(room, rs);
        if (connection != null) {
            // The gateway limits operations per second: calls queued together leave as one op.
            if (toSubscribe.isEmpty()) {
                loop.execute(this::flushSubscribes);
            }
            toSubscribe.add(rs);
        }
    }

    void unsubscribe(String room, CompletableFuture<Void> result) {
        RoomState rs = rooms.remove(room);
        if (rs == null) {
            result.complete(null);
            return;
        }
        rs.subscribed.completeExceptionally(new CancellationException("unsubscribed from " + room));
        if (connection != null) {
            long id = nextId++;
            unsubscribeOps.put(id, result);
            connection.send(Messages.unsubscribe(id, room));
        } else {
            result.complete(null);
        }
    }

    /** {@code welcome} on {@code c}: every room is subscribed again, resuming where it stands. */
    void connected(Connection c) {
        connection = c;
        toSubscribe.clear();
        if (!rooms.isEmpty()) {
            send(new ArrayList<>(rooms.values()));
        }
    }

    /** The connection ended: nothing is delivered until the rooms are subscribed on the next one. */
    void disconnected() {
        connection = null;
        rooms.values().forEach(RoomState::connectionLost);
        toSubscribe.clear();
        subscribeOps.clear();
        unsubscribeOps.values().forEach(f -> f.complete(null)); // a lost connection holds no room
        unsubscribeOps.clear();
    }

    /** The client stopped: pending subscriptions fail with {@code cause}. */
    void closed(IllegalStateException cause) {
        disconnected();
        rooms.values().forEach(rs -> rs.subscribed.completeExceptionally(cause));
    }

    /**
     * Handles a room message from the connected connection.
     *
     * @return false if {@code msg} is not a room message, or an {@code error} answering no pending operation
     */
    boolean handle(JsonNode msg) {
        String room = msg.path("room").asText();
        switch (msg.path("type").asText()) {
            case "event" -> onEvent(room, msg);
            case "snapshot" -> {
                RoomState rs = activeRoom(room);
                if (rs != null) {
                    long seq = msg.path("seq").asLong();
                    rs.onSnapshot(seq);
                    ListenerCalls.call(() -> rs.listener.onSnapshot(room, seq, msg.get("data")));
                }
            }
            case "reset" -> {
                RoomState rs = activeRoom(room);
                if (rs != null) {
                    long seq = msg.path("seq").asLong();
                    String epoch = msg.path("epoch").asText();
                    rs.onReset(seq, epoch);
                    ListenerCalls.call(() -> rs.listener.onReset(room, seq, epoch, msg.path("reason").asText()));
                }
            }
            case "subscribed" -> {
                RoomState rs = rooms.get(room);
                if (rs != null && rs.pendingId() == Messages.id(msg)) {
                    rs.subscribed.complete(rs.onSubscribed(msg.path("mode").asText(), msg.path("seq").asLong(),
                            msg.path("epoch").asText()));
                }
            }
            case "unsubscribed" -> onUnsubscribed(room, msg);
            case "error" -> {
                return onError(msg);
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    private void onEvent(String room, JsonNode msg) {
        RoomState rs = activeRoom(room);
        if (rs == null) {
            return;
        }
        long seq = msg.path("seq").asLong();
        if (rs.acceptEvent(seq)) {
            long ts = msg.path("ts").asLong();
            ListenerCalls.call(() -> rs.listener.onEvent(room, seq, ts, msg.get("data")));
        } else {
            duplicatesDropped++; // single writer: the loop
        }
    }

    private void onUnsubscribed(String room, JsonNode msg) {
        CompletableFuture<Void> reply = unsubscribeOps.remove(Messages.id(msg));
        if (reply != null) {
            reply.complete(null);
            return;
        }
        RoomState rs = activeRoom(room);
        if (rs != null) { // the gateway ended it, e.g. no longer granted after a refresh
            rooms.remove(room);
            ListenerCalls.call(() -> rs.listener.onUnsubscribed(room, msg.path("reason").asText()));
        }
    }

    /** An {@code error} answers a room of a subscribe op, a whole subscribe op, or an unsubscribe. */
    private boolean onError(JsonNode msg) {
        long id = Messages.id(msg);
        String code = msg.path("code").asText();
        TickwireServerException error = new TickwireServerException(code, msg.path("message").asText());
        String room = msg.path("room").asText(null);
        List<String> affected = room != null ? List.of(room) : subscribeOps.getOrDefault(id, List.of());
        boolean matched = false;
        for (String r : affected) {
            RoomState rs = rooms.get(r);
            if (rs != null && id >= 0 && rs.pendingId() == id) {
                matched = true;
                rooms.remove(r);
                if (!rs.subscribed.completeExceptionally(error)) { // refused again after a reconnect
                    ListenerCalls.call(() -> rs.listener.onUnsubscribed(r, code));
                }
            }
        }
        CompletableFuture<Void> unsubscribe = unsubscribeOps.remove(id);
        if (unsubscribe != null) {
            unsubscribe.complete(null);
            matched = true;
        }
        return matched;
    }

    private RoomState activeRoom(String room) {
        RoomState rs = rooms.get(room);
        return rs != null && rs.active() ? rs : null;
    }

    private void flushSubscribes() {
        List<RoomState> batch = toSubscribe.stream().filter(rs -> rooms.get(rs.room) == rs).toList();
        toSubscribe.clear();
        if (!batch.isEmpty() && connection != null) {
            send(batch);
        }
    }

    private void send(List<RoomState> batch) {
        long id = nextId++;
        List<String> names = new ArrayList<>();
        Map<String, RoomState.Position> resume = new LinkedHashMap<>();
        for (RoomState rs : batch) {
            rs.subscribing(id);
            names.add(rs.room);
            if (rs.position() != null) {
                resume.put(rs.room, rs.position());
            }
        }
        subscribeOps.put(id, names);
        connection.send(Messages.subscribe(id, names, resume));
    }
}
