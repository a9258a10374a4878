package io.tickwire.gateway.fanout;

import io.tickwire.gateway.room.Room;
import io.tickwire.gateway.room.RoomSubscriber;

/**
 * Tells a room's subscribers on one loop that live events were not queued to them (the loop was too far
 * behind): each catches up from its last {@code seq}. At most one is queued per room and loop.
 */
final class CatchUp implements Runnable {

    private final Room room;
    private final int loopIndex;

    CatchUp(Room room, int loopIndex) {
        this.room = room;
        this.loopIndex = loopIndex;
    }

    @Override
    public void run() {
        room.subscribersOn(loopIndex).releaseCatchUp();
        for (RoomSubscriber s : room.subscribersOn(loopIndex).members()) {
            try {
                s.onMissedLive();
            } catch (RuntimeException e) {
                s.failed(e);
            }
        }
    }
}
