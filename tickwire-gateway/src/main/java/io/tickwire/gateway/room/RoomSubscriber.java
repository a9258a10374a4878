package io.tickwire.gateway.room;

/** Something on an event loop that takes a room's live events: a connection's subscription. */
public interface RoomSubscriber {

    /** A live event of the room, on the subscriber's event loop. Must not keep {@code event} unretained. */
    void onLive(EncodedEvent event);

    /** Live events of the room were not delivered to this loop: catch up from the last one written. */
    void onMissedLive();

    /** Delivering to this subscriber threw: end its connection (1011). */
    void failed(Throwable cause);
}
