package io.tickwire.gateway.room;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.tickwire.gateway.bus.BusEvent;
import io.tickwire.protocol.JsonWriter;
import io.tickwire.protocol.ServerMessages;

/**
 * Builds complete, unmasked WebSocket text frames (RFC 6455 §5.2): a server's frame is the same bytes
 * for every client, so it is built once and written to all of them. One instance per thread.
 */
public final class FrameEncoder {

    private static final int FIN_TEXT = 0x81;

    private final ByteBufAllocator alloc;
    private final JsonWriter json = new JsonWriter(1024);

    public FrameEncoder(ByteBufAllocator alloc) {
        this.alloc = alloc;
    }

    /** The {@code event} message for a bus event, as one frame. */
    public EncodedEvent event(BusEvent e) {
        ServerMessages.event(json, e.room(), e.seq(), e.timestampMillis(), e.data());
        int dataLength = e.data().length;
        // data is the last field: the payload ends with data then '}'
        int payloadDataOffset = json.length() - 1 - dataLength;
        ByteBuf frame = frame(json);
        int headerBytes = frame.readableBytes() - json.length();
        return new EncodedEvent(e.epoch(), e.seq(), frame, headerBytes + payloadDataOffset, dataLength);
    }

    /** Any message already written into {@code w}, as one frame in a new direct buffer. */
    public ByteBuf frame(JsonWriter w) {
        int len = w.length();
        int header = len < 126 ? 2 : len <= 0xFFFF ? 4 : 10;
        ByteBuf buf = alloc.directBuffer(header + len, header + len);
        buf.writeByte(FIN_TEXT);
        if (len < 126) {
            buf.writeByte(len);
        } else if (len <= 0xFFFF) {
            buf.writeByte(126);
            buf.writeShort(len);
        } else {
            buf.writeByte(127);
            buf.writeLong(len);
        }
        buf.writeBytes(w.buffer(), 0, len);
        return buf;
    }
}
