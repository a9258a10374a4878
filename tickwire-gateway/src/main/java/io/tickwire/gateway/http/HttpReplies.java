package io.tickwire.gateway.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.tickwire.protocol.JsonWriter;
import java.nio.charset.StandardCharsets;

/** Writes HTTP responses: JSON bodies, the contract's error shape, keep-alive handled in one place. */
public final class HttpReplies {

    private HttpReplies() {}

    /** {@code {"error":{"code":…,"message":…[,"index":…]}}} with {@code status}. */
    public static void error(ChannelHandlerContext ctx, HttpRequest req, HttpResponseStatus status, String code,
                             String message, Integer index) {
        send(ctx, req, status, "application/json", errorBody(code, message, index), null);
    }

    /**
     * The contract's error shape with {@code Retry-After: retryAfterSeconds}, then the connection closed: a
     * request refused for load or rate, whose client should come back later on a new connection.
     */
    public static void retryLater(ChannelHandlerContext ctx, HttpResponseStatus status, String code, String message,
                                  int retryAfterSeconds) {
        send(ctx, null, status, "application/json", errorBody(code, message, null), Integer.toString(retryAfterSeconds));
    }

    private static byte[] errorBody(String code, String message, Integer index) {
        JsonWriter inner = new JsonWriter(128).beginObject().field("code", code).field("message", message);
        if (index != null) {
            inner.field("index", index);
        }
        inner.endObject();
        return ("{\"error\":" + inner + "}").getBytes(StandardCharsets.UTF_8);
    }

    /** 503 with {@code Retry-After: 1}: token verification is saturated, nothing is wrong with the request. */
    public static void busy(ChannelHandlerContext ctx, HttpRequest req) {
        send(ctx, req, HttpResponseStatus.SERVICE_UNAVAILABLE, "application/json",
                "{\"error\":{\"code\":\"unavailable\",\"message\":\"busy, retry shortly\"}}".getBytes(StandardCharsets.UTF_8), "1");
    }

    /** 503 with {@code Retry-After: 1}: the node is draining; another node will take the request. */
    public static void draining(ChannelHandlerContext ctx, HttpRequest req) {
        send(ctx, req, HttpResponseStatus.SERVICE_UNAVAILABLE, "application/json",
                "{\"error\":{\"code\":\"unavailable\",\"message\":\"node draining: connect to another node\"}}"
                        .getBytes(StandardCharsets.UTF_8), "1");
    }

    public static void json(ChannelHandlerContext ctx, HttpRequest req, HttpResponseStatus status, String json) {
        send(ctx, req, status, "application/json", json.getBytes(StandardCharsets.UTF_8), null);
    }

    public static void send(ChannelHandlerContext ctx, HttpRequest req, HttpResponseStatus status,
                            String contentType, byte[] body, String retryAfterSeconds) {
        ByteBuf content = Unpooled.wrappedBuffer(body);
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        if (retryAfterSeconds != null) {
            res.headers().set(HttpHeaderNames.RETRY_AFTER, retryAfterSeconds);
        }
        // A refused token or origin ends the connection too: an unknown client keeps nothing open here.
        boolean keepAlive = req != null && HttpUtil.isKeepAlive(req) && status.code() < 500
                && status.code() != 401 && status.code() != 403;
        if (keepAlive) {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(res, ctx.voidPromise());
        } else {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
