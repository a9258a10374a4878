package io.tickwire.gateway.transport;

import io.netty.channel.ChannelHandlerContext;
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

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        HttpReplies.error(ctx, null, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "limit_exceeded",
                "body larger than " + maxContentLength() + " bytes", null);
        if (oversized instanceof HttpRequest) {
            ctx.channel().config().setAutoRead(true);
        }
    }
}
