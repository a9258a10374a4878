package io.tickwire.gateway.fanout;

import io.tickwire.gateway.room.EncodedEvent;
import io.tickwire.gateway.room.Room;
import io.tickwire.gateway.room.RoomSubscriber;

/** One event for one room's subscribers on one event loop. Runs on that loop; releases the event. */
final class Delivery implements Runnable {

    private final Room room;
    private final int loopIndex;
    private final EncodedEvent event;
    private final LoopBacklog backlog;

    Delivery(Room room, int loopIndex, EncodedEvent event, LoopBacklog backlog) {
        this.room = room;
        this.loopIndex = loopIndex;
        this.event = event;
        this.backlog = backlog;
    }

    @Override
    public void run() {
        try {
            for (RoomSubscriber s : room.subscribersOn(loopIndex).members()) {
                s.onLive(event);
            }
        } finally {
            backlog.remove(event.frameBytes());
            event.release();
        }
    }
}
