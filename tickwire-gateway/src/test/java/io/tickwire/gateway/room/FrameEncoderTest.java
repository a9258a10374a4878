package io.tickwire.gateway.room;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.tickwire.gateway.bus.BusEvent;
import io.tickwire.protocol.JsonWriter;
import io.tickwire.protocol.ServerMessages;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Complete, unmasked RFC 6455 text frames, checked byte by byte and with Netty's own frame decoder. */
class FrameEncoderTest {

    private final FrameEncoder encoder = new FrameEncoder(UnpooledByteBufAllocator.DEFAULT);

    /** A JSON object of exactly {@code length} bytes: {"p":"xxx…"} is 8 bytes plus the x's. */
    private static JsonWriter jsonOfLength(int length) {
        JsonWriter w = new JsonWriter(16).beginObject().field("p", "x".repeat(length - 8)).endObject();
        assertThat(w.length()).isEqualTo(length);
        return w;
    }

    /** Decodes one server frame as a client would (no mask expected, a masked frame is an error). */
    private static String decodeText(ByteBuf frame) {
        EmbeddedChannel ch = new EmbeddedChannel(new WebSocket13FrameDecoder(WebSocketDecoderConfig.newBuilder()
                .expectMaskedFrames(false).allowMaskMismatch(false).allowExtensions(false)
                .maxFramePayloadLength(16 * 1024 * 1024).build()));
        try {
            ch.writeInbound(frame);
            Object msg = ch.readInbound();
            assertThat(msg).as("decoded frame").isInstanceOf(TextWebSocketFrame.class);
            TextWebSocketFrame text = (TextWebSocketFrame) msg;
            try {
                assertThat(text.isFinalFragment()).isTrue();
                assertThat(text.rsv()).isZero();
                return text.text();
            } finally {
                text.release();
            }
        } finally {
            assertThat((Object) ch.readInbound()).as("exactly one frame").isNull();
            ch.finishAndReleaseAll();
        }
    }

    private static byte[] readable(ByteBuf b) {
        byte[] out = new byte[b.readableBytes()];
        b.getBytes(b.readerIndex(), out);
        return out;
    }

    @ParameterizedTest
    @ValueSource(ints = {8, 100, 125})
    void payloadsUpTo125UseTheSevenBitLength(int length) {
        JsonWriter w = jsonOfLength(length);
        ByteBuf frame = encoder.frame(w);
        try {
            assertThat(frame.readableBytes()).isEqualTo(2 + length);
            assertThat(frame.getUnsignedByte(0)).isEqualTo((short) 0x81);
            assertThat(frame.getUnsignedByte(1)).isEqualTo((short) length); // mask bit clear
            assertThat(Arrays.copyOfRange(readable(frame), 2, 2 + length)).isEqualTo(w.toByteArray());
            assertThat(decodeText(frame.retain())).isEqualTo(w.toString());
        } finally {
            frame.release();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {126, 127, 1000, 65535})
    void payloadsFrom126To65535UseTheSixteenBitLength(int length) {
        JsonWriter w = jsonOfLength(length);
        ByteBuf frame = encoder.frame(w);
        try {
            assertThat(frame.readableBytes()).isEqualTo(4 + length);
            assertThat(frame.getUnsignedByte(0)).isEqualTo((short) 0x81);
            assertThat(frame.getUnsignedByte(1)).isEqualTo((short) 126);
            assertThat(frame.getUnsignedShort(2)).isEqualTo(length);
            assertThat(Arrays.copyOfRange(readable(frame), 4, 4 + length)).isEqualTo(w.toByteArray());
            assertThat(decodeText(frame.retain())).isEqualTo(w.toString());
        } finally {
            frame.release();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {65536, 65537, 300_000})
    void payloadsAbove65535UseTheSixtyFourBitLength(int length) {
        JsonWriter w = jsonOfLength(length);
        ByteBuf frame = encoder.frame(w);
        try {
            assertThat(frame.readableBytes()).isEqualTo(10 + length);
            assertThat(frame.getUnsignedByte(0)).isEqualTo((short) 0x81);
            assertThat(frame.getUnsignedByte(1)).isEqualTo((short) 127);
            assertThat(frame.getLong(2)).isEqualTo(length); // most significant bit 0 (RFC 6455 §5.2)
            assertThat(Arrays.copyOfRange(readable(frame), 10, 10 + length)).isEqualTo(w.toByteArray());
            assertThat(decodeText(frame.retain())).isEqualTo(w.toString());
        } finally {
            frame.release();
        }
    }

    @Test
    void frameIsDirectAndExactlySized() {
        ByteBuf frame = encoder.frame(jsonOfLength(200));
        try {
            assertThat(frame.isDirect()).isTrue();
            assertThat(frame.readerIndex()).isZero();
            assertThat(frame.writableBytes()).isZero();
        } finally {
            frame.release();
        }
    }

    @Test
    void eventFrameIsTheEventMessage() {
        byte[] data = "{\"bid\":189.31,\"ask\":189.33,\"n\":\"\u00e9\u65e5\ud83d\ude00\"}".getBytes(StandardCharsets.UTF_8);
        BusEvent e = new BusEvent("price:AAPL", 50212, "m-5f2a", 1764268800123L, data);
        EncodedEvent ev = encoder.event(e);
        try {
            assertThat(ev.seq()).isEqualTo(50212);
            assertThat(ev.epoch()).isEqualTo("m-5f2a");
            assertThat(ev.dataCopy()).isEqualTo(data);
            JsonWriter expected = ServerMessages.event(new JsonWriter(16), "price:AAPL", 50212, 1764268800123L, data);
            assertThat(ev.frameBytes()).isEqualTo(2 + expected.length());
            ByteBuf dup = ev.frameForWrite();
            assertThat(decodeText(dup)).isEqualTo(expected.toString());
        } finally {
            ev.release();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 60, 117, 118, 200, 65535, 65536, 70_000})
    void eventDataCopyIsTheOriginalBytesWhateverTheHeaderSize(int padding) {
        byte[] data = ("{\"s\":\"" + "y".repeat(padding) + "\u00e9\"}").getBytes(StandardCharsets.UTF_8);
        EncodedEvent ev = encoder.event(new BusEvent("trades:ES", 7, "e", 1, data));
        try {
            assertThat(ev.dataCopy()).isEqualTo(data);
            JsonWriter expected = ServerMessages.event(new JsonWriter(16), "trades:ES", 7, 1, data);
            int header = expected.length() < 126 ? 2 : expected.length() <= 0xFFFF ? 4 : 10;
            assertThat(ev.frameBytes()).isEqualTo(header + expected.length());
            assertThat(decodeText(ev.frameForWrite())).isEqualTo(expected.toString());
        } finally {
            ev.release();
        }
    }

    @Test
    void encoderIsReusableAndEventsAreIndependent() {
        byte[] d1 = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        byte[] d2 = ("[" + "2,".repeat(100) + "3]").getBytes(StandardCharsets.UTF_8);
        EncodedEvent e1 = encoder.event(new BusEvent("a:b", 1, "e", 10, d1));
        EncodedEvent e2 = encoder.event(new BusEvent("a:b", 2, "e", 11, d2));
        try {
            assertThat(e1.dataCopy()).isEqualTo(d1);
            assertThat(e2.dataCopy()).isEqualTo(d2);
            assertThat(decodeText(e1.frameForWrite()))
                    .isEqualTo("{\"type\":\"event\",\"room\":\"a:b\",\"seq\":1,\"ts\":10,\"data\":{\"a\":1}}");
        } finally {
            e1.release();
            e2.release();
        }
    }

    @Test
    void frameForWriteIsARetainedDuplicateAndReleaseFreesTheFrame() {
        EncodedEvent ev = encoder.event(new BusEvent("a:b", 1, "e", 10, "1".getBytes(StandardCharsets.UTF_8)));
        ByteBuf w1 = ev.frameForWrite();
        ByteBuf w2 = ev.frameForWrite();
        assertThat(w1.readableBytes()).isEqualTo(ev.frameBytes());
        w1.skipBytes(w1.readableBytes()); // a write consumes its duplicate, not the shared frame
        assertThat(w2.readableBytes()).isEqualTo(ev.frameBytes());
        assertThat(ev.refCnt()).isEqualTo(1);
        assertThat(w1.refCnt()).isEqualTo(3);
        w1.release();
        w2.release();
        assertThat(ev.release()).isTrue();
        assertThat(ev.refCnt()).isZero();
        assertThat(w2.refCnt()).isZero();
    }

    @Test
    void worksWithAPooledAllocator() {
        ByteBufAllocator pooled = PooledByteBufAllocator.DEFAULT;
        FrameEncoder enc = new FrameEncoder(pooled);
        byte[] data = "{\"k\":\"v\"}".getBytes(StandardCharsets.UTF_8);
        EncodedEvent ev = enc.event(new BusEvent("price:X", 3, "e", 4, data));
        try {
            assertThat(ev.dataCopy()).isEqualTo(data);
            assertThat(decodeText(ev.frameForWrite()))
                    .isEqualTo("{\"type\":\"event\",\"room\":\"price:X\",\"seq\":3,\"ts\":4,\"data\":{\"k\":\"v\"}}");
        } finally {
            ev.release();
        }
    }
}
