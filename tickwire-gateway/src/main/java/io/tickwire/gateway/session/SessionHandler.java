package io.tickwire.gateway.session;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.tickwire.gateway.auth.Principal;
import io.tickwire.protocol.CloseCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last handler of an upgraded connection's pipeline: turns WebSocket frames into calls on its
 * {@link Session} and channel events into the session's lifecycle.
 */
public final class SessionHandler extends SimpleChannelInboundHandler<WebSocketFrame> {

    private static final Logger log = LoggerFactory.getLogger(SessionHandler.class);

    /** User event: the server is stopping; the session closes with 1001. */
    public static final Object GOING_AWAY = new Object() {
        @Override
        public String toString() {
            return "GOING_AWAY";
        }
    };

    private final GatewayContext context;
    private final int loopIndex;
    private final Principal principal;
    private final String sessionId;
    private final String clientAddress;
    private Session session;

    public SessionHandler(GatewayContext context, int loopIndex, Principal principal, String sessionId,
                          String clientAddress) {
        this.context = context;
        this.clientAddress = clientAddress;
        this.loopIndex = loopIndex;
        this.principal = principal;
        this.sessionId = sessionId;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        session = new Session(context, ctx.channel(), loopIndex, principal, sessionId, clientAddress);
        session.open();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (frame instanceof TextWebSocketFrame) {
            session.onText(ByteBufUtil.getBytes(frame.content()));
        } else if (frame instanceof PongWebSocketFrame) {
            session.touched();
        } else if (frame instanceof PingWebSocketFrame) {
            session.answerPing(frame.content());
        } else if (frame instanceof CloseWebSocketFrame) {
            session.clientClosed(frame.content());
        } else if (frame instanceof BinaryWebSocketFrame) {
            session.close(CloseCode.UNSUPPORTED_DATA, "binary frames are not supported");
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == GOING_AWAY) {
            session.close(CloseCode.GOING_AWAY, "server shutting down");
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            session.onWritable();
        } else {
            session.onUnwritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        session.closed();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            session.close(CloseCode.MESSAGE_TOO_BIG, "message larger than the frame limit");
        } else if (cause instanceof CorruptedWebSocketFrameException e) {
            // the decoder has already sent the close frame naming the violation
            session.protocolViolation(e.closeStatus() != null ? e.closeStatus().code() : 1002, e.getMessage());
        } else if (cause instanceof java.io.IOException) {
            // the network ended it (a reset, a broken pipe): a connection lost without a close frame (1006), not
            // a failure of ours
            log.debug("session {} lost: {}", sessionId, cause.toString());
            ctx.close();
        } else {
            log.debug("session {} failed", sessionId, cause);
            session.close(CloseCode.INTERNAL_ERROR, "internal error");
        }
    }
}
