package io.tickwire.bench.connections;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.tickwire.bench.client.WsClientHandler;
import io.tickwire.bench.client.WsEnd;
import io.tickwire.bench.support.EventFrameScanner;
import java.nio.charset.StandardCharsets;

/**
 * One attempt of an {@link IdleConnection}: established at {@code welcome}, or at {@code subscribed} when it
 * subscribes to a room; then it only answers pings (in {@link WsClientHandler}) and ignores what arrives.
 */
final class IdleHandler extends WsClientHandler {

    private final IdleConnection connection;
    private final IdleConnections pool;

    IdleHandler(WebSocketClientHandshaker handshaker, IdleConnection connection, IdleConnections pool) {
        super(handshaker);
        this.connection = connection;
        this.pool = pool;
    }

    @Override
    protected void text(ChannelHandlerContext ctx, ByteBuf frame) {
        if (connection.established || EventFrameScanner.isEvent(frame)) {
            return;
        }
        if (EventFrameScanner.isType(frame, "welcome")) {
            connection.retry.connected();
            if (connection.subscribe == null) {
                pool.established(connection);
            } else {
                ctx.writeAndFlush(new TextWebSocketFrame(connection.subscribe), ctx.voidPromise());
            }
        } else if (EventFrameScanner.isType(frame, "subscribed")) {
            pool.established(connection);
        } else if (EventFrameScanner.isType(frame, "error")) {
            connection.failure = frame.toString(StandardCharsets.UTF_8);
            pool.subscribeFailed(connection);
            ctx.close();
        }
    }

    @Override
    protected void ended(WsEnd end) {
        pool.ended(connection, end);
    }
}
