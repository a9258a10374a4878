package io.tickwire.bench.fanout;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.tickwire.bench.support.EventFrameScanner;
import io.tickwire.bench.support.MeasureWindow;
import io.tickwire.bench.support.MicroClock;
import java.util.Map;

/**
 * Last in a bench connection's pipeline (after the HTTP codec and aggregator, which the handshake swaps for
 * WebSocket frame codecs): completes the handshake, subscribes on {@code welcome}, then for every event
 * checks the counter and records publish→receive latency in its event loop's {@link LoopStats}.
 */
final class SubscriberHandler extends SimpleChannelInboundHandler<Object> {

    /** How the handler reports the connection's fate to the run. */
    interface Events {
        void subscribed(Subscriber s);

        void refused(Subscriber s, int status, long retryAfterSeconds);

        void closed(Subscriber s);
    }

    private final WebSocketClientHandshaker handshaker;
    private final Subscriber subscriber;
    private final String roomName;
    private final Map<Object, LoopStats> statsByLoop;
    private final MeasureWindow window;
    private final Events events;
    private LoopStats stats;

    SubscriberHandler(WebSocketClientHandshaker handshaker, Subscriber subscriber, String roomName,
            Map<Object, LoopStats> statsByLoop, MeasureWindow window, Events events) {
        this.handshaker = handshaker;
        this.subscriber = subscriber;
        this.roomName = roomName;
        this.statsByLoop = statsByLoop;
        this.window = window;
        this.events = events;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        stats = statsByLoop.get(ctx.channel().eventLoop());
        handshaker.handshake(ctx.channel());
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
        if (!handshaker.isHandshakeComplete()) {
            FullHttpResponse response = (FullHttpResponse) msg;
            try {
                handshaker.finishHandshake(ctx.channel(), response);
            } catch (WebSocketClientHandshakeException e) {
                events.refused(subscriber, response.status().code(), retryAfter(response));
                ctx.close();
            }
            return;
        }
        if (msg instanceof TextWebSocketFrame text) {
            onText(ctx, text.content());
        } else if (msg instanceof PingWebSocketFrame ping) {
            ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
        } else if (msg instanceof CloseWebSocketFrame close) {
            subscriber.closeCode = close.statusCode();
            ctx.close();
        }
    }

    private void onText(ChannelHandlerContext ctx, ByteBuf frame) {
        if (EventFrameScanner.isEvent(frame)) {
            long c = EventFrameScanner.c(frame);
            long t = EventFrameScanner.t(frame);
            if (c < 0 || t < 0) {
                return; // an event the bench did not publish
            }
            subscriber.check.accept(c);
            if (window.contains(t)) {
                stats.deliveredInWindow++;
                stats.latencyMicros.recordValue(Math.max(0, MicroClock.nowMicros() - t));
            }
        } else if (EventFrameScanner.isType(frame, "welcome")) {
            ctx.writeAndFlush(new TextWebSocketFrame(
                    "{\"op\":\"subscribe\",\"id\":1,\"rooms\":[\"" + roomName + "\"]}"));
        } else if (EventFrameScanner.isType(frame, "subscribed")) {
            subscriber.subscribed = true;
            events.subscribed(subscriber);
        } else if (EventFrameScanner.isType(frame, "error")) {
            subscriber.failure = frame.toString(java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        events.closed(subscriber);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        subscriber.failure = cause.toString();
        ctx.close();
    }

    private static long retryAfter(FullHttpResponse response) {
        String value = response.headers().get(HttpHeaderNames.RETRY_AFTER);
        try {
            return value == null ? 1 : Math.max(1, Long.parseLong(value.trim()));
        } catch (NumberFormatException e) {
            return 1;
        }
    }
}
