package io.tickwire.gateway.fanout;

import io.netty.channel.EventLoop;
import io.tickwire.gateway.bus.BusEvent;
import io.tickwire.gateway.bus.EventBus;
import io.tickwire.gateway.room.EncodedEvent;
import io.tickwire.gateway.room.Room;
import io.tickwire.gateway.room.RoomLimitException;
import io.tickwire.gateway.room.RoomRegistry;
import java.util.function.LongSupplier;

/**
 * Where a room fans out: takes the bus's live stream, encodes each event's frame once, keeps it in the
 * room's ring, and hands one reference to each event loop that has subscribers of the room. The loops
 * then write duplicates of that one frame to their subscribers ({@link Delivery}).
 *
 * <p>Ordering: the bus calls {@link #onEvent} for one room's events in {@code seq} order and never
 * concurrently; each loop's task queue is FIFO; so every loop, and every subscriber on it, sees a room's
 * events in order.
 */
public final class Fanout implements EventBus.EventSink {

    private final RoomRegistry registry;
    private final EventLoop[] loops;
    private final LongSupplier clock;

    public Fanout(RoomRegistry registry, EventLoop[] loops, LongSupplier clock) {
        this.registry = registry;
        this.loops = loops.clone();
        this.clock = clock;
    }

    @Override
    public void onEvent(BusEvent event) {
        if (registry.kindOf(event.room()) == null) {
            return; // a kind this node does not serve
        }
        while (true) {
            Room room;
            try {
                room = registry.acquire(event.room());
            } catch (RoomLimitException e) {
                return; // nobody can be subscribed to a room this node could not create
            }
            EncodedEvent encoded = registry.encoder().event(event);
            encoded.retain(); // one reference for the ring, one for this method
            if (!room.append(encoded, clock.getAsLong())) {
                encoded.release(2); // retired meanwhile: go to its successor
                continue;
            }
            try {
                for (int i = 0; i < loops.length; i++) {
                    if (room.subscribersOn(i).count() > 0) {
                        loops[i].execute(new Delivery(room, i, encoded.retain()));
                    }
                }
            } finally {
                encoded.release();
            }
            return;
        }
    }
}
