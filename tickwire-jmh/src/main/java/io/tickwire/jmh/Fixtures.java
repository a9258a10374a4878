package io.tickwire.jmh;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** What the benchmarks share: allocators by name, payloads of a given size, a session-shaped channel. */
final class Fixtures {

    /** A room of a reliable kind, as in the S1 load test. */
    static final String ROOM = "trades:B0";

    private Fixtures() {}

    /**
     * {@code default}: {@link ByteBufAllocator#DEFAULT}, what the gateway encodes frames with (in Netty 4.2
     * the adaptive allocator unless {@code io.netty.allocator.type} says otherwise); {@code pooled}:
     * {@link PooledByteBufAllocator#DEFAULT}, for comparison.
     */
    static ByteBufAllocator allocator(String name) {
        switch (name) {
            case "default":
                return ByteBufAllocator.DEFAULT;
            case "pooled":
                return PooledByteBufAllocator.DEFAULT;
            default:
                throw new IllegalArgumentException("alloc: expected default or pooled, got " + name);
        }
    }

    /** A publisher's JSON object of exactly {@code bytes} bytes: {@code {"px":"xxx…"}}. */
    static byte[] payload(int bytes) {
        String head = "{\"px\":\"";
        String tail = "\"}";
        int fill = bytes - head.length() - tail.length();
        if (fill < 0) {
            throw new IllegalArgumentException("payload: at least " + (head.length() + tail.length()) + " bytes");
        }
        char[] x = new char[fill];
        Arrays.fill(x, 'x');
        return (head + new String(x) + tail).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A channel whose pipeline has the handlers of an upgraded gateway connection, in their order:
     * {@code wsdecoder}, {@code wsencoder} (the one outbound handler, which passes pre-encoded frames
     * through), {@code utf8}, {@code aggregator} and a stand-in for {@code session}; and the gateway's
     * default write-buffer water marks (32 KiB / 64 KiB). Only the transport differs: written frames end in
     * the channel's outbound queue, which {@link #drain} empties, instead of a socket.
     */
    static EmbeddedChannel sessionChannel() {
        EmbeddedChannel ch = new EmbeddedChannel(
                new WebSocket13FrameDecoder(WebSocketDecoderConfig.newBuilder().allowExtensions(false).build()),
                new WebSocket13FrameEncoder(false),
                new Utf8FrameValidator(true),
                new WebSocketFrameAggregator(65536),
                new SessionStandIn());
        ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(32 * 1024, 64 * 1024));
        return ch;
    }

    /** Releases every frame the channel's transport took; returns how many. */
    static int drain(EmbeddedChannel ch) {
        int n = 0;
        Object m;
        while ((m = ch.readOutbound()) != null) {
            ReferenceCountUtil.release(m);
            n++;
        }
        return n;
    }

    /** Stands in for the gateway's {@code SessionHandler} (inbound only: writes pass it by). */
    private static final class SessionStandIn extends SimpleChannelInboundHandler<WebSocketFrame> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame msg) {}
    }
}
