package io.tickwire.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.tickwire.gateway.metrics.LoopMetrics;
import io.tickwire.gateway.room.EncodedEvent;
import io.tickwire.gateway.room.RoomSubscriber;
import java.util.List;

/**
 * A live reliable subscriber minus the socket: the steps of the gateway's {@code Subscription.onLive} and
 * {@code Session.writeFrame} for a writable connection within its budget (epoch and {@code seq} checks,
 * the budget check, one {@code frameForWrite()} duplicate, the loop's counters, a write, one flush per
 * channel per batch). With no channel it releases the duplicate instead of writing it: the fan-out's own cost.
 */
final class LiveSubscriber implements RoomSubscriber {

    /** {@code Session.FLUSH_EARLY_BYTES}: unflushed bytes past which a connection flushes at once. */
    private static final int FLUSH_EARLY_BYTES = 32 * 1024;

    private final String epoch;
    private final Channel channel; // null: release the frame instead of writing it
    private final LoopMetrics metrics;
    private final List<LiveSubscriber> flushBatch; // the loop's LoopFlusher
    private final int budgetBytes;
    private long lastSent;
    private int unflushedBytes;
    private boolean flushQueued;

    LiveSubscriber(String epoch, Channel channel, LoopMetrics metrics, List<LiveSubscriber> flushBatch,
                   int budgetBytes) {
        this.epoch = epoch;
        this.channel = channel;
        this.metrics = metrics;
        this.flushBatch = flushBatch;
        this.budgetBytes = budgetBytes;
    }

    @Override
    public void onLive(EncodedEvent event) {
        if (!event.epoch().equals(epoch)) {
            throw new IllegalStateException("epoch changed: the benchmark publishes in one epoch");
        }
        if (event.seq() <= lastSent) {
            return;
        }
        if (pendingBytes() + event.frameBytes() > budgetBytes) {
            throw new IllegalStateException("over budget: the benchmark drains every channel after each event");
        }
        lastSent = event.seq();
        ByteBuf frame = event.frameForWrite();
        int size = frame.readableBytes();
        metrics.frameWritten(size);
        if (channel == null) {
            frame.release();
        } else {
            unflushedBytes += size;
            channel.write(frame, channel.voidPromise());
            if (unflushedBytes >= FLUSH_EARLY_BYTES) {
                flushNow();
            } else if (!flushQueued) {
                flushQueued = true;
                flushBatch.add(this);
            }
        }
        metrics.eventDelivered();
    }

    /** The batch's end: {@code Session.flushNow}. */
    void flushNow() {
        flushQueued = false;
        unflushedBytes = 0;
        channel.flush();
    }

    private long pendingBytes() {
        if (channel == null) {
            return 0;
        }
        ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
        return out == null ? 0 : out.totalPendingWriteBytes();
    }

    @Override
    public void onMissedLive() {
        throw new IllegalStateException("missed live events: the benchmark's loop never overflows");
    }

    @Override
    public void failed(Throwable cause) {
        throw new IllegalStateException("delivery failed", cause);
    }
}
