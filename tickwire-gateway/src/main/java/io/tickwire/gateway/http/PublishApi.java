package io.tickwire.gateway.http;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.tickwire.gateway.auth.Principal;
import io.tickwire.gateway.auth.TokenVerifier;
import io.tickwire.gateway.bus.BusUnavailableException;
import io.tickwire.gateway.bus.EventBus;
import io.tickwire.gateway.config.GatewayConfig;
import io.tickwire.gateway.bus.RoomLimitExceededException;
import io.tickwire.gateway.session.GatewayContext;
import io.tickwire.protocol.JsonWriter;
import io.tickwire.protocol.RoomName;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * {@code POST /api/v1/publish} (contract §7): validates the whole request before publishing anything, then
 * publishes each event in request order and answers once the bus has stored them all.
 */
public final class PublishApi {

    private final GatewayContext context;

    public PublishApi(GatewayContext context) {
        this.context = context;
    }

    public void handle(ChannelHandlerContext ctx, FullHttpRequest req) {
        req.retain(); // released once answered, after verification off the event loop
        context.tokens().verifyAsync(HttpTokens.bearer(req)).whenComplete((principal, error) -> OnEventLoop.run(ctx.executor(), () -> {
            try {
                verified(ctx, req, principal, error);
            } finally {
                req.release();
            }
        }, req::release));
    }

    private void verified(ChannelHandlerContext ctx, FullHttpRequest req, Principal principal, Throwable refusal) {
        if (refusal instanceof TokenVerifier.VerifierBusyException) {
            HttpReplies.busy(ctx, req);
            return;
        }
        if (refusal != null) {
            String why = refusal instanceof TokenVerifier.InvalidTokenException ? refusal.getMessage() : "invalid token";
            HttpReplies.error(ctx, req, HttpResponseStatus.UNAUTHORIZED, "unauthorized", why, null);
            return;
        }
        ctx.pipeline().fireUserEventTriggered(Authenticated.EVENT); // a known publisher may keep its connection
        List<PublishRequest.Event> events;
        try {
            events = PublishRequest.parse(ByteBufUtil.getBytes(req.content()));
        } catch (PublishRequest.Invalid e) {
            HttpReplies.error(ctx, req, HttpResponseStatus.BAD_REQUEST, "bad_request", e.getMessage(), e.index);
            return;
        }
        for (int i = 0; i < events.size(); i++) {
            if (!admissible(ctx, req, principal, events.get(i), i)) {
                return;
            }
        }
        @SuppressWarnings("unchecked")
        CompletableFuture<EventBus.PublishResult>[] results = new CompletableFuture[events.size()];
        for (int i = 0; i < events.size(); i++) {
            PublishRequest.Event e = events.get(i);
            results[i] = context.bus().publish(e.room(), e.data(), e.msgId()).toCompletableFuture();
        }
        req.retain(); // released once the reply is written below
        CompletableFuture.allOf(results).whenComplete((ok, error) -> OnEventLoop.run(ctx.executor(), () -> {
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                if (cause instanceof RoomLimitExceededException) {
                    // checked by the bus as it stores: the events before this one were published
                    HttpReplies.error(ctx, req, HttpResponseStatus.TOO_MANY_REQUESTS, "limit_exceeded",
                            cause.getMessage() + " (events before index were published)", firstFailed(results));
                } else if (cause instanceof BusUnavailableException) {
                    HttpReplies.send(ctx, req, HttpResponseStatus.SERVICE_UNAVAILABLE, "application/json",
                            ("{\"error\":{\"code\":\"unavailable\",\"message\":" + JsonWriter.quote(cause.getMessage()) + "}}")
                                    .getBytes(java.nio.charset.StandardCharsets.UTF_8), "1");
                } else {
                    HttpReplies.error(ctx, req, HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal", "publish failed", null);
                }
                req.release();
                return;
            }
            StringBuilder body = new StringBuilder("{\"results\":[");
            JsonWriter w = new JsonWriter(96);
            for (int i = 0; i < results.length; i++) {
                EventBus.PublishResult r = results[i].join();
                w.reset().beginObject().field("room", r.room()).field("seq", r.seq()).field("epoch", r.epoch());
                if (r.duplicate()) {
                    w.field("duplicate", true);
                } else {
                    context.metrics().published(io.tickwire.protocol.RoomName.kindOf(r.room()), 1);
                }
                body.append(i == 0 ? "" : ",").append(w.endObject());
            }
            HttpReplies.json(ctx, req, HttpResponseStatus.OK, body.append("]}").toString());
            req.release();
        }, req::release));
    }

    private static Integer firstFailed(CompletableFuture<?>[] results) {
        for (int i = 0; i < results.length; i++) {
            if (results[i].isCompletedExceptionally()) {
                return i;
            }
        }
        return null;
    }

    private boolean admissible(ChannelHandlerContext ctx, FullHttpRequest req, Principal principal,
                               PublishRequest.Event e, int index) {
        if (!RoomName.isValid(e.room())) {
            HttpReplies.error(ctx, req, HttpResponseStatus.BAD_REQUEST, "bad_request", "invalid room name", index);
            return false;
        }
        GatewayConfig.Kind kind = context.rooms().kindOf(e.room());
        if (kind == null) {
            HttpReplies.error(ctx, req, HttpResponseStatus.NOT_FOUND, "not_found",
                    "no such room kind: " + RoomName.kindOf(e.room()), index);
            return false;
        }
        if (!principal.mayPublish(kind.name())) {
            HttpReplies.error(ctx, req, HttpResponseStatus.FORBIDDEN, "forbidden",
                    "token lacks scope tickwire:publish or tickwire:publish:" + kind.name(), index);
            return false;
        }
        if (e.data().length > context.config().rooms().maxEventBytes()) {
            HttpReplies.error(ctx, req, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "limit_exceeded",
                    "data larger than " + context.config().rooms().maxEventBytes() + " bytes", index);
            return false;
        }
        return true;
    }
}
