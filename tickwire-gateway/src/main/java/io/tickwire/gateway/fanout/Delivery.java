package io.tickwire.gateway.fanout;

import io.tickwire.gateway.metrics.GatewayMetrics;
import io.netty.channel.EventLoop;
import io.tickwire.gateway.room.EncodedEvent;
import io.tickwire.gateway.room.LoopSubscribers;
import java.util.concurrent.TimeUnit;
import io.tickwire.gateway.room.Room;
import io.tickwire.gateway.room.RoomSubscriber;

/**
 * One event for one room's subscribers on one event loop. Runs on that loop; releases the event. In a kind
 * with a minimum interval, an event that comes too soon after the last one delivered here is held back
 * (replacing any held before it) and the newest goes out at the end of the interval.
 */
final class Delivery implements Runnable {

    private final Room room;
    private final int loopIndex;
    private final EncodedEvent event;
    private final LoopBacklog backlog;
    private final EventLoop loop;
    private final GatewayMetrics metrics;
    private final long receivedNanos;
    private final long publishedMillis;

    Delivery(Room room, int loopIndex, EventLoop loop, EncodedEvent event, LoopBacklog backlog, GatewayMetrics metrics,
             long receivedNanos, long publishedMillis) {
        this.loop = loop;
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
            LoopSubscribers subscribers = room.subscribersOn(loopIndex);
            long minInterval = room.minIntervalNanos();
            if (minInterval > 0) {
                boolean replacing = subscribers.hasHeld();
                long delay = subscribers.holdIfTooSoon(event, System.nanoTime(), minInterval);
                if (delay >= 0) { // too soon after the last one: the newest goes at the end of the interval
                    if (replacing) {
                        metrics.loop(loopIndex).conflated();
                    }
                    if (delay > 0) {
                        loop.schedule(this::deliverHeld, delay, TimeUnit.NANOSECONDS);
                    }
                    return;
                }
            }
            deliver(subscribers, event);
            metrics.delivered(receivedNanos, publishedMillis);
        } finally {
            discard();
        }
    }

    /** End of a max-frequency interval: the newest event held back goes out. */
    private void deliverHeld() {
        EncodedEvent held = room.subscribersOn(loopIndex).takeHeld(System.nanoTime());
        if (held != null) {
            try {
                deliver(room.subscribersOn(loopIndex), held);
            } finally {
                held.release();
            }
        }
    }

    private static void deliver(LoopSubscribers subscribers, EncodedEvent event) {
        for (RoomSubscriber s : subscribers.members()) {
            try {
                s.onLive(event);
            } catch (RuntimeException e) {
                s.failed(e); // that subscriber's connection ends; the others still get the event
            }
        }
    }

    /** Releases the event without delivering it. */
    void discard() {
        backlog.remove(event.frameBytes());
        event.release();
    }
}
