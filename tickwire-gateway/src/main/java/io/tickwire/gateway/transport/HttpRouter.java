package io.tickwire.gateway.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.tickwire.gateway.http.AdminApi;
import io.tickwire.gateway.http.DevApi;
import io.tickwire.gateway.http.HttpReplies;
import io.tickwire.gateway.http.PublishApi;
import io.tickwire.gateway.http.Readiness;
import io.tickwire.gateway.session.GatewayContext;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a request enters: routes each HTTP request to the WebSocket upgrade, the publish API, the
 * operating endpoints, the JavaScript client ({@code /tickwire.js}), or (demo mode only) the dev endpoints and page. Replaced by the session's handler
 * once a connection is upgraded.
 */
final class HttpRouter extends SimpleChannelInboundHandler<FullHttpRequest> {

    static final String NAME = "router";
    private static final Logger log = LoggerFactory.getLogger(HttpRouter.class);

    private final GatewayContext context;
    private final WebSocketUpgrade upgrade;
    private final PublishApi publish;
    private final AdminApi admin;
    private final DevApi dev; // null outside demo mode
    private final Readiness ready;

    HttpRouter(GatewayContext context, WebSocketUpgrade upgrade, PublishApi publish, DevApi dev, Readiness ready) {
        this.context = context;
        this.upgrade = upgrade;
        this.publish = publish;
        this.admin = new AdminApi(context, ready);
        this.dev = dev;
        this.ready = ready;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (!req.decoderResult().isSuccess()) {
            Throwable cause = req.decoderResult().cause();
            if (cause instanceof io.netty.handler.codec.http.TooLongHttpLineException) {
                HttpReplies.error(ctx, null, HttpResponseStatus.REQUEST_URI_TOO_LONG, "bad_request", "request line too long", null);
            } else if (cause instanceof io.netty.handler.codec.http.TooLongHttpHeaderException) {
                HttpReplies.error(ctx, null, HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "bad_request",
                        "request headers too large", null);
            } else {
                HttpReplies.error(ctx, null, HttpResponseStatus.BAD_REQUEST, "bad_request", "malformed HTTP request", null);
            }
            return;
        }
        String path = new QueryStringDecoder(req.uri()).path();
        HttpMethod method = req.method();
        if (path.equals(context.config().ws().path())) {
            if (method.equals(HttpMethod.GET) && req.headers().containsValue("Upgrade", "websocket", true)) {
                upgrade.handle(ctx, req);
            } else {
                context.metrics().handshakeRejected(io.tickwire.gateway.metrics.GatewayMetrics.HandshakeRejection.BAD_REQUEST);
                HttpReplies.error(ctx, req, HttpResponseStatus.BAD_REQUEST, "bad_request", "expected a WebSocket upgrade", null);
            }
            return;
        }
        switch (path) {
            case "/api/v1/publish" -> {
                if (method.equals(HttpMethod.POST)) {
                    publish.handle(ctx, req);
                } else {
                    methodNotAllowed(ctx, req);
                }
            }
            case "/health/live" -> HttpReplies.json(ctx, req, HttpResponseStatus.OK, "{\"status\":\"up\"}");
            case "/health/ready" -> {
                Readiness.Report r = ready.report();
                HttpReplies.json(ctx, req, r.ready() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, r.json());
            }
            case "/metrics" -> HttpReplies.send(ctx, req, HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=utf-8",
                    context.metrics().scrape().getBytes(StandardCharsets.UTF_8), null);
            default -> {
                if (!admin.handle(ctx, req, path) && !DevApi.handleClient(ctx, req, path)
                        && (dev == null || !dev.handle(ctx, req, path))) {
                    HttpReplies.error(ctx, req, HttpResponseStatus.NOT_FOUND, "not_found", "no such resource", null);
                }
            }
        }
    }

    private static void methodNotAllowed(ChannelHandlerContext ctx, FullHttpRequest req) {
        HttpReplies.error(ctx, req, HttpResponseStatus.METHOD_NOT_ALLOWED, "bad_request", "method not allowed", null);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("HTTP connection failed", cause);
        ctx.close();
    }
}
