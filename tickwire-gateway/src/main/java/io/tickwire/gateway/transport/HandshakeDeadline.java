package io.tickwire.gateway.transport;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import io.tickwire.gateway.http.Authenticated;
import io.tickwire.gateway.metrics.GatewayMetrics;
import io.tickwire.gateway.metrics.GatewayMetrics.HandshakeRejection;
import java.util.concurrent.TimeUnit;

/**
 * Holds a connection to account until it is known: it must upgrade to a WebSocket, or make an HTTP request
 * whose token is verified ({@link Authenticated}), within {@code ws.handshake-timeout-ms} of connecting.
 * Until then it counts against the node's and its address's pending-connection limits
 * ({@link PendingConnections}); past the deadline it is closed, at once if idle, else right after the answer
 * to the request in progress (with {@code Connection: close}). So idle, trickling or keep-alive sockets that
 * never authenticate cannot hold the node's file descriptors, and one address cannot take them all. Sits
 * right after the HTTP codec; leaves the pipeline once the connection is known.
 */
final class HandshakeDeadline extends ChannelDuplexHandler {

    static final String NAME = "deadline";

    private final long timeoutMillis;
    private final PendingConnections pending;
    private final boolean perAddress;
    private final GatewayMetrics metrics;
    private ScheduledFuture<?> deadline;
    private long addressKey;
    private boolean counted;
    private boolean requestInProgress;
    private boolean answeredOne;
    private boolean expired;

    /** {@code perAddress}: count against the address's limit (false behind a load balancer: its clients share it). */
    HandshakeDeadline(long timeoutMillis, PendingConnections pending, boolean perAddress, GatewayMetrics metrics) {
        this.timeoutMillis = timeoutMillis;
        this.pending = pending;
        this.perAddress = perAddress;
        this.metrics = metrics;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        addressKey = ClientAddress.get(ctx.channel()).limitKey();
        PendingConnections.Refusal refusal = pending.admit(addressKey, perAddress);
        if (refusal != null) {
            metrics.handshakeRejected(refusal == PendingConnections.Refusal.NODE
                    ? HandshakeRejection.NODE_PENDING : HandshakeRejection.ADDRESS_PENDING);
            ctx.close(); // nothing read yet: nothing to answer
            return;
        }
        counted = true;
        deadline = ctx.executor().schedule(() -> onDeadline(ctx), timeoutMillis, TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    private void onDeadline(ChannelHandlerContext ctx) {
        if (!counted) {
            return;
        }
        if (!answeredOne || requestInProgress) {
            // a refusal; an idle keep-alive connection that was answered (a health check, a scrape) just closes
            metrics.handshakeRejected(HandshakeRejection.HANDSHAKE_TIMEOUT);
        }
        if (requestInProgress) {
            expired = true; // the answer goes out with Connection: close
        } else {
            ctx.close();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
            requestInProgress = true;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        boolean answered = msg instanceof LastHttpContent;
        if (expired && msg instanceof HttpResponse res && res.status().code() != 101) {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        if (answered) {
            requestInProgress = false;
            answeredOne = true;
            if (expired) {
                ctx.write(msg, promise.unvoid()).addListener(ChannelFutureListener.CLOSE);
                return;
            }
        }
        ctx.write(msg, promise);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == Authenticated.EVENT) {
            known(ctx);
            return; // for this handler only
        }
        ctx.fireUserEventTriggered(evt);
    }

    /** The connection upgraded or authenticated: no deadline, no longer pending. */
    static void known(io.netty.channel.Channel channel) {
        ChannelHandlerContext ctx = channel.pipeline().context(NAME);
        if (ctx != null) {
            ((HandshakeDeadline) ctx.handler()).known(ctx);
        }
    }

    private void known(ChannelHandlerContext ctx) {
        if (!expired) {
            ctx.pipeline().remove(this);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        release();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        release();
        ctx.fireChannelInactive();
    }

    private void release() {
        if (deadline != null) {
            deadline.cancel(false);
        }
        if (counted) {
            counted = false;
            pending.release(addressKey, perAddress);
        }
    }
}
