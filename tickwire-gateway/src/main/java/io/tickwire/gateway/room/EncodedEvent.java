package io.tickwire.gateway.room;

import io.netty.buffer.ByteBuf;
import io.netty.util.AbstractReferenceCounted;
import io.netty.util.ReferenceCounted;

/**
 * One event, encoded once as a complete WebSocket text frame (header and JSON payload in one direct
 * buffer) and shared by every subscriber: each write sends a {@link #frameForWrite()} duplicate of it.
 * Reference counted: the room's ring holds one reference, every task carrying it to an event loop another.
 */
public final class EncodedEvent extends AbstractReferenceCounted {

    private final String epoch;
    private final long seq;
    private final ByteBuf frame;
    private final int dataOffset;
    private final int dataLength;

    /**
     * @param frame the whole WebSocket frame; ownership passes to this event
     * @param dataOffset where the event's {@code data} JSON starts inside {@code frame}
     */
    public EncodedEvent(String epoch, long seq, ByteBuf frame, int dataOffset, int dataLength) {
        this.epoch = epoch;
        this.seq = seq;
        this.frame = frame;
        this.dataOffset = dataOffset;
        this.dataLength = dataLength;
    }

    public String epoch() {
        return epoch;
    }

    public long seq() {
        return seq;
    }

    /** Size of the frame on the wire. */
    public int frameBytes() {
        return frame.readableBytes();
    }

    /** A retained duplicate of the frame, for one channel write (which releases it). */
    public ByteBuf frameForWrite() {
        return frame.retainedDuplicate();
    }

    /** The event's {@code data} JSON as bytes (a copy, for the cold paths that re-wrap it as a snapshot). */
    public byte[] dataCopy() {
        byte[] out = new byte[dataLength];
        frame.getBytes(frame.readerIndex() + dataOffset, out);
        return out;
    }

    @Override
    protected void deallocate() {
        frame.release();
    }

    @Override
    public ReferenceCounted touch(Object hint) {
        frame.touch(hint);
        return this;
    }

    @Override
    public EncodedEvent retain() {
        super.retain();
        return this;
    }
}
