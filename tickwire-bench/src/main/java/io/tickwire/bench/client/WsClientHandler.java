package io.tickwire.bench.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Last in a bench connection's pipeline ({@link WsDialer}): completes the upgrade, answers the server's pings,
 * echoes its close, hands text frames to the subclass, and reports how the attempt or connection ended exactly
 * once ({@link #ended}), whether refused (HTTP status and {@code Retry-After}), closed (code and reason), lost,
 * cut, or never connected. An upgrade not answered within {@link WsDialer#CONNECT_TIMEOUT_MILLIS} is dropped.
 */
public abstract class WsClientHandler extends SimpleChannelInboundHandler<Object> {

    private final WebSocketClientHandshaker handshaker;
    private ScheduledFuture<?> upgradeDeadline;
    private WsEnd end; // the cause once known
    private boolean reported;

    protected WsClientHandler(WebSocketClientHandshaker handshaker) {
        this.handshaker = handshaker;
    }

    /** The upgrade succeeded; the server's first frame ({@code welcome}) follows. */
    protected void upgraded(ChannelHandlerContext ctx) {}

    /** A text frame; {@code frame} is released after this returns. */
    protected abstract void text(ChannelHandlerContext ctx, ByteBuf frame);

    /** The attempt or connection is over; called once, on the connection's loop. */
    protected abstract void ended(WsEnd end);

    /** The TCP connect failed (the channel never became active). */
    void connectFailed(Throwable cause) {
        report(WsEnd.lost("connect failed: " + cause));
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        handshaker.handshake(ctx.channel());
        upgradeDeadline = ctx.executor().schedule(() -> {
            end = WsEnd.lost("no upgrade response within " + WsDialer.CONNECT_TIMEOUT_MILLIS + " ms");
            ctx.close();
        }, WsDialer.CONNECT_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
        if (!handshaker.isHandshakeComplete()) {
            upgradeResponse(ctx, (FullHttpResponse) msg);
        } else if (msg instanceof TextWebSocketFrame text) {
            text(ctx, text.content());
        } else if (msg instanceof PingWebSocketFrame ping) {
            ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()), ctx.voidPromise());
        } else if (msg instanceof CloseWebSocketFrame close) {
            if (end == null) {
                end = WsEnd.closed(close.statusCode(), close.reasonText());
            }
            ctx.writeAndFlush(new CloseWebSocketFrame(close.statusCode(), close.reasonText()))
                    .addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void upgradeResponse(ChannelHandlerContext ctx, FullHttpResponse res) {
        upgradeDeadline.cancel(false);
        if (!res.status().equals(HttpResponseStatus.SWITCHING_PROTOCOLS)) {
            end = WsEnd.refused(res.status().code(),
                    RetryPolicy.retryAfterHeaderMillis(res.headers().get(HttpHeaderNames.RETRY_AFTER)));
            ctx.close();
            return;
        }
        try {
            handshaker.finishHandshake(ctx.channel(), res);
        } catch (WebSocketHandshakeException e) {
            end = WsEnd.lost("bad upgrade response: " + e.getMessage());
            ctx.close();
            return;
        }
        upgraded(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (upgradeDeadline != null) {
            upgradeDeadline.cancel(false);
        }
        report(end != null ? end : WsEnd.lost("connection lost"));
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (end == null) {
            end = WsEnd.lost(cause.toString());
        }
        ctx.close();
    }

    private void report(WsEnd e) {
        if (!reported) {
            reported = true;
            ended(e);
        }
    }
}
