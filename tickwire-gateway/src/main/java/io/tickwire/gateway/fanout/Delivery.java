package io.tickwire.gateway.fanout;

import io.tickwire.gateway.metrics.GatewayMetrics;
import io.tickwire.gateway.room.EncodedEvent;
import io.tickwire.gateway.room.Room;
import io.tickwire.gateway.room.RoomSubscriber;

/** One event for one room's subscribers on one event loop. Runs on that loop; releases the event. */
final class Delivery implements Runnable {

    private final Room room;
    private final int loopIndex;
    private final EncodedEvent event;
    private final LoopBacklog backlog;
    private final GatewayMetrics metrics;
    private final long receivedNanos;
    private final long publishedMillis;

    Delivery(Room room, int loopIndex, EncodedEvent event, LoopBacklog backlog, GatewayMetrics metrics,
             long receivedNanos, long publishedMillis) {
        this.room = room;
        this.loopIndex = loopIndex;
        this.event = event;
        this.backlog = backlog;
        this.metrics = metrics;
        this.receivedNanos = receivedNanos;
        this.publishedMillis = publishedMillis;
    }

    @Override
    public void run() {
        try {
            for (RoomSubscriber s : room.subscribersOn(loopIndex).members()) {
                try {
                    s.onLive(event);
                } catch (RuntimeException e) {
                    s.failed(e); // that subscriber's connection ends; the others still get the event
                }
            }
            metrics.delivered(receivedNanos, publishedMillis);
        } finally {
            discard();
        }
    }

    /** Releases the event without delivering it. */
    void discard() {
        backlog.remove(event.frameBytes());
        event.release();
    }
}
