package io.tickwire.gateway.fanout;

import io.netty.channel.EventLoop;
import io.tickwire.gateway.bus.BusEvent;
import io.tickwire.gateway.bus.EventBus;
import io.tickwire.gateway.metrics.GatewayMetrics;
import io.tickwire.gateway.room.EncodedEvent;
import io.tickwire.gateway.room.LoopSubscribers;
import io.tickwire.gateway.room.Room;
import io.tickwire.gateway.room.RoomRegistry;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.function.LongSupplier;

/**
 * Where a room fans out: takes the bus's live stream, encodes each event's frame once, keeps it in the
 * room's ring, and hands one reference to each event loop that has subscribers of the room. The loops
 * then write duplicates of that one frame to their subscribers ({@link Delivery}).
 *
 * <p>Ordering: the bus calls {@link #onEvent} for one room's events in {@code seq} order and never
 * concurrently; each loop's task queue is FIFO; so every loop, and every subscriber on it, sees a room's
 * events in order.
 *
 * <p>Bounded: a loop's task queue must not grow with the publish rate. When a loop already has
 * {@link #MAX_QUEUED_DELIVERIES} deliveries or {@link #MAX_QUEUED_BYTES} of frames waiting, a room's new
 * events are not queued to it one by one; instead one {@link CatchUp} per room is, and its subscribers
 * then read what they missed from the room's ring or the bus, as a slow reader would. Nothing is lost and
 * order holds (a subscriber never writes a {@code seq} at or below its last), and the queue holds at most
 * the bound plus one small task per room.
 */
public final class Fanout implements EventBus.EventSink {

    private static final Logger log = LoggerFactory.getLogger(Fanout.class);

    /** Deliveries waiting on one loop above which rooms switch to catch-up. */
    static final int MAX_QUEUED_DELIVERIES = 8192;
    /** Frame bytes waiting on one loop above which rooms switch to catch-up. */
    static final long MAX_QUEUED_BYTES = 16L * 1024 * 1024;

    private final RoomRegistry registry;
    private final EventLoop[] loops;
    private final LoopBacklog[] backlogs;
    private final LongSupplier clock;
    private final GatewayMetrics metrics;

    public Fanout(RoomRegistry registry, EventLoop[] loops, GatewayMetrics metrics, LongSupplier clock) {
        this.metrics = metrics;
        this.registry = registry;
        this.loops = loops.clone();
        this.clock = clock;
        this.backlogs = new LoopBacklog[loops.length];
        for (int i = 0; i < loops.length; i++) {
            backlogs[i] = new LoopBacklog();
        }
    }

    @Override
    public void onEvent(BusEvent event) {
        long receivedNanos = System.nanoTime();
        metrics.received(event.room());
        // Rooms someone subscribed to on this node are held here, and with a remote bus history (JetStream) others
        // too, within a budget; the bus keeps every room's history.
        Room room = registry.get(event.room());
        if (room == null) {
            room = registry.holdFromFeed(event);
        }
        while (room != null) {
            EncodedEvent encoded;
            try {
                encoded = registry.encoder().event(event);
            } catch (RuntimeException | Error e) {
                // The bus has stored the event but this node cannot hold it: subscribers read it from the bus.
                log.error("cannot encode event {} of {}: its subscribers will read it from the bus", event.seq(),
                        event.room(), e);
                room.lost(event.epoch(), event.seq());
                signalCatchUp(room);
                return;
            }
            encoded.retain(); // one reference for the ring, one for this method
            if (!room.append(encoded, clock.getAsLong())) {
                encoded.release(2); // retired meanwhile: go to its successor, if any
                room = registry.get(event.room());
                continue;
            }
            try {
                for (int i = 0; i < loops.length; i++) {
                    LoopSubscribers subscribers = room.subscribersOn(i);
                    if (subscribers.count() == 0) {
                        continue;
                    }
                    LoopBacklog backlog = backlogs[i];
                    if (backlog.tasks.get() < MAX_QUEUED_DELIVERIES && backlog.bytes.get() < MAX_QUEUED_BYTES) {
                        backlog.add(encoded.frameBytes());
                        execute(i, new Delivery(room, i, loops[i], encoded.retain(), backlog, metrics, receivedNanos,
                                event.timestampMillis()));
                    } else if (subscribers.claimCatchUp()) {
                        metrics.loopOverflows().increment();
                        execute(i, new CatchUp(room, i));
                    }
                }
            } finally {
                encoded.release();
            }
            return;
        }
    }

    /**
     * The bus lost some of the kind's events before this node saw them: every room of the kind stops covering up
     * to {@code upToSeq}, and its live subscribers check the bus's history from their position, as after an
     * event this node could not encode.
     */
    @Override
    public void onGap(String kind, String epoch, long upToSeq) {
        int[] rooms = new int[1];
        registry.forEachOfKind(kind, room -> {
            room.lost(epoch, upToSeq);
            signalCatchUp(room);
            rooms[0]++;
        });
        log.warn("events of kind {} up to seq {} may have missed this node: {} room(s) read them from the bus", kind,
                upToSeq, rooms[0]);
    }

    private void signalCatchUp(Room room) {
        for (int i = 0; i < loops.length; i++) {
            if (room.subscribersOn(i).count() > 0 && room.subscribersOn(i).claimCatchUp()) {
                execute(i, new CatchUp(room, i));
            }
        }
    }

    private void execute(int loop, Runnable task) {
        try {
            loops[loop].execute(task);
        } catch (RejectedExecutionException e) {
            if (task instanceof Delivery d) {
                d.discard(); // the loop is shutting down, with its connections
            }
        }
    }
}
