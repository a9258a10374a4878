package io.tickwire.bench.storm;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.tickwire.bench.client.WsClientHandler;
import io.tickwire.bench.client.WsEnd;
import io.tickwire.bench.support.EventFrameScanner;
import java.nio.charset.StandardCharsets;

/**
 * One attempt of a {@link StormClient}: subscribes on {@code welcome} (with {@code resume} from its position
 * after the first time), follows its position on every event, checks the publisher's counter, and tells
 * {@link StormClients} when it is subscribed, caught up after a resume, reset, refused or ended. Only the
 * envelope's type, seq and epoch and the data's counter are read, never the whole JSON.
 */
final class StormHandler extends WsClientHandler {

    private static final EventFrameScanner.Needle CONFLATE = EventFrameScanner.Needle.of("\"mode\":\"conflate\"");

    private final StormClient client;
    private final StormClients clients;

    StormHandler(WebSocketClientHandshaker handshaker, StormClient client, StormClients clients) {
        super(handshaker);
        this.client = client;
        this.clients = clients;
    }

    @Override
    protected void text(ChannelHandlerContext ctx, ByteBuf frame) {
        if (EventFrameScanner.isEvent(frame)) {
            long c = EventFrameScanner.c(frame);
            if (c >= 0) {
                client.check.accept(c);
            }
            long seq = EventFrameScanner.seq(frame);
            if (seq > client.seq) {
                client.seq = seq;
            }
            if (!client.live && client.target >= 0 && client.seq >= client.target) {
                clients.caughtUp(client);
            }
        } else if (EventFrameScanner.isType(frame, "welcome")) {
            client.retry.connected();
            clients.welcomed(client);
            ctx.writeAndFlush(new TextWebSocketFrame(client.subscribeFrame()), ctx.voidPromise());
        } else if (EventFrameScanner.isType(frame, "subscribed")) {
            subscribed(ctx, frame);
        } else if (EventFrameScanner.isType(frame, "reset")) {
            // the resume could not be served: what was missed is gone (the counter check shows how much)
            client.seq = EventFrameScanner.seq(frame);
            client.epoch = EventFrameScanner.epoch(frame);
            clients.reset(client);
        } else if (EventFrameScanner.isType(frame, "error")) {
            clients.failed(client, frame.toString(StandardCharsets.UTF_8));
            ctx.close();
        }
        // pong, token_expiring, reconnect (the close that follows says it all): nothing to do
    }

    private void subscribed(ChannelHandlerContext ctx, ByteBuf frame) {
        if (EventFrameScanner.contains(frame, CONFLATE)) {
            clients.failed(client, "room " + client.roomName + " is a conflate room: the storm needs a reliable kind");
            ctx.close();
            return;
        }
        long s = EventFrameScanner.seq(frame);
        client.epoch = EventFrameScanner.epoch(frame);
        if (!client.resumeSent) {
            client.seq = s; // a subscribe without resume starts at the room's seq
            clients.subscribed(client);
            return;
        }
        client.target = s;
        clients.resubscribed(client);
        if (client.seq >= s) {
            clients.caughtUp(client); // nothing was missed
        }
    }

    @Override
    protected void ended(WsEnd end) {
        clients.ended(client, end);
    }
}
