package io.tickwire.gateway.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.tickwire.gateway.auth.Principal;
import io.tickwire.gateway.auth.TokenVerifier;
import io.tickwire.gateway.session.GatewayContext;
import io.tickwire.protocol.JsonWriter;
import java.util.function.BooleanSupplier;

/**
 * Operations behind the {@code tickwire:admin} scope (contract §8). This version has
 * {@code GET /api/v1/cluster}: the nodes and their load (one node until the farm exists).
 */
public final class AdminApi {

    private final GatewayContext context;
    private final BooleanSupplier ready;

    public AdminApi(GatewayContext context, BooleanSupplier ready) {
        this.context = context;
        this.ready = ready;
    }

    /** Handles {@code path} if it is an admin operation; false otherwise. */
    public boolean handle(ChannelHandlerContext ctx, FullHttpRequest req, String path) {
        if (!path.equals("/api/v1/cluster")) {
            return false;
        }
        if (!req.method().equals(HttpMethod.GET)) {
            HttpReplies.error(ctx, req, HttpResponseStatus.METHOD_NOT_ALLOWED, "bad_request", "method not allowed", null);
            return true;
        }
        req.retain();
        context.tokens().verifyAsync(HttpTokens.bearer(req)).whenComplete((principal, error) -> OnEventLoop.run(ctx.executor(), () -> {
            try {
                answer(ctx, req, principal, error);
            } finally {
                req.release();
            }
        }, req::release));
        return true;
    }

    private void answer(ChannelHandlerContext ctx, FullHttpRequest req, Principal principal, Throwable error) {
        if (error instanceof TokenVerifier.VerifierBusyException) {
            HttpReplies.busy(ctx, req);
            return;
        }
        if (error != null) {
            String why = error instanceof TokenVerifier.InvalidTokenException ? error.getMessage() : "invalid token";
            HttpReplies.error(ctx, req, HttpResponseStatus.UNAUTHORIZED, "unauthorized", why, null);
            return;
        }
        if (!principal.isAdmin()) {
            HttpReplies.error(ctx, req, HttpResponseStatus.FORBIDDEN, "forbidden", "token lacks scope tickwire:admin", null);
            return;
        }
        String node = new JsonWriter(256).beginObject()
                .field("node", context.config().nodeId())
                .field("ready", ready.getAsBoolean())
                .field("connections", context.metrics().connections().get())
                .field("subscriptions", context.metrics().subscriptions().get())
                .field("rooms", context.rooms().size())
                .endObject().toString();
        HttpReplies.json(ctx, req, HttpResponseStatus.OK, "{\"nodes\":[" + node + "]}");
    }
}
