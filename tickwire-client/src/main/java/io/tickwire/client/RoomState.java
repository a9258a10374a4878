package io.tickwire.client;

import java.util.concurrent.CompletableFuture;

/**
 * One subscribed room on the client side: its listener and its position ({@code seq} and {@code epoch}),
 * which moves only on {@code event}, {@code snapshot} and {@code reset} (protocol §5) and is what the client
 * resumes from after a reconnect. Confined to the client's event loop.
 */
final class RoomState {

    /** A room's position: the last {@code seq} seen, in {@code epoch}. */
    record Position(long seq, String epoch) {}

    final String room;
    final RoomListener listener;
    final CompletableFuture<Subscribed> subscribed;
    private Position position; // null until the first subscribed
    private long pendingId = -1; // id of the subscribe op awaiting its reply on the current connection
    private boolean active; // subscribed on the current connection: its messages are delivered

    RoomState(String room, RoomListener listener, CompletableFuture<Subscribed> subscribed) {
        this.room = room;
        this.listener = listener;
        this.subscribed = subscribed;
    }

    Position position() {
        return position;
    }

    long pendingId() {
        return pendingId;
    }

    boolean active() {
        return active;
    }

    /** A subscribe op for this room was sent on a new connection. */
    void subscribing(long id) {
        pendingId = id;
        active = false;
    }

    /** The connection is gone: nothing is delivered until the next {@code subscribed}. */
    void connectionLost() {
        pendingId = -1;
        active = false;
    }

    /**
     * {@code subscribed}: a first subscription starts at the room's latest {@code seq}; a resumed one keeps
     * its position, unless the epoch changed: the old {@code seq} then means nothing, and either a
     * {@code reset} (reliable rooms) or a snapshot (conflate rooms) follows with the new position.
     */
    Subscribed onSubscribed(String mode, long seq, String epoch) {
        pendingId = -1;
        active = true;
        if (position == null) {
            position = new Position(seq, epoch);
        } else if (!position.epoch().equals(epoch)) {
            position = new Position(0, epoch);
        }
        return new Subscribed(room, mode, seq, epoch);
    }

    /** An {@code event}: true to deliver it, false for a duplicate ({@code seq} not above the position). */
    boolean acceptEvent(long seq) {
        if (position != null && seq <= position.seq()) {
            return false;
        }
        position = new Position(seq, position == null ? "" : position.epoch());
        return true;
    }

    /** A {@code snapshot} is state, always delivered; the position only moves forward. */
    void onSnapshot(long seq) {
        if (position == null || seq > position.seq()) {
            position = new Position(seq, position == null ? "" : position.epoch());
        }
    }

    void onReset(long seq, String epoch) {
        position = new Position(seq, epoch);
    }
}
