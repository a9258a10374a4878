package io.tickwire.gateway.transport;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.tickwire.gateway.http.HttpReplies;

/** Aggregates request bodies up to a bound; a larger body gets the contract's JSON 413. */
final class PublishBodyAggregator extends HttpObjectAggregator {

    PublishBodyAggregator(int maxBodyBytes) {
        super(maxBodyBytes);
    }

    /** A body announced too large with {@code Expect: 100-continue} gets the same JSON 413. */
    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        Object response = super.newContinueResponse(start, maxContentLength, pipeline);
        if (response instanceof HttpResponse r && r.status().equals(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE)) {
            ReferenceCountUtil.release(response);
            byte[] body = ("{\"error\":{\"code\":\"limit_exceeded\",\"message\":\"body larger than "
                    + maxContentLength + " bytes\"}}").getBytes(StandardCharsets.UTF_8);
            FullHttpResponse json = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, Unpooled.wrappedBuffer(body));
            json.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
            json.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            return json;
        }
        return response;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        HttpReplies.error(ctx, null, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "limit_exceeded",
                "body larger than " + maxContentLength() + " bytes", null);
        if (oversized instanceof HttpRequest) {
            ctx.channel().config().setAutoRead(true);
        }
    }
}
