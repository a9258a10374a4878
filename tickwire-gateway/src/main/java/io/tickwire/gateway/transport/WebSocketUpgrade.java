package io.tickwire.gateway.transport;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.tickwire.gateway.auth.Principal;
import io.tickwire.gateway.auth.TokenVerifier;
import io.tickwire.gateway.cluster.Coordinator;
import io.tickwire.gateway.config.GatewayConfig;
import io.tickwire.gateway.http.HttpReplies;
import io.tickwire.gateway.http.HttpTokens;
import io.tickwire.gateway.http.OnEventLoop;
import io.tickwire.gateway.metrics.GatewayMetrics.HandshakeRejection;
import io.tickwire.gateway.session.GatewayContext;
import io.tickwire.gateway.session.SessionHandler;
import io.tickwire.protocol.CloseCode;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/**
 * The WebSocket handshake (contract §1): origin check, handshake rates ({@link HandshakeRate}), token from
 * header, subprotocol or query, then the upgrade and the session's pipeline. A refused non-browser request gets an HTTP status; a refused browser
 * request (one with an allowed {@code Origin}) is upgraded and closed with the matching close code, since a
 * browser cannot read a refused upgrade's status.
 */
final class WebSocketUpgrade {

    private final GatewayContext context;
    private final boolean allowQueryToken;
    private final boolean anyOrigin;
    private final Set<String> origins;
    private final WebSocketDecoderConfig decoderConfig;
    private final LoopIndex loops;
    private final ConnectionAdmission admission;
    private final HandshakeRate rate;
    /** {@code cluster.max-connections-per-user}, 0 = none; checked only when the node is in a farm. */
    private final int farmLimit;

    WebSocketUpgrade(GatewayContext context, LoopIndex loops) {
        this.context = context;
        this.loops = loops;
        this.admission = new ConnectionAdmission(context.config().server());
        this.rate = new HandshakeRate(context.config().server());
        this.farmLimit = context.coordinator() == Coordinator.none() ? 0
                : context.config().cluster().maxConnectionsPerUser();
        GatewayConfig.Auth auth = context.config().auth();
        this.allowQueryToken = auth.allowQueryToken();
        this.anyOrigin = auth.allowedOrigins().contains("*");
        this.origins = auth.allowedOrigins().stream().map(o -> o.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        this.decoderConfig = WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(context.config().ws().maxFrameBytes())
                .allowExtensions(false)
                .closeOnProtocolViolation(true)
                .withUTF8Validator(true)
                .build();
    }

    void handle(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (context.drain().draining()) {
            context.metrics().handshakeRejected(HandshakeRejection.DRAINING);
            refuseWhileDraining(ctx, req);
            return;
        }
        String origin = req.headers().get(HttpHeaderNames.ORIGIN);
        if (!context.coordinator().settled()) {
            // the farm's revocations are not known here yet (a second or two after start): come back in a moment
            context.metrics().handshakeRejected(HandshakeRejection.STARTING);
            refuseForRate(ctx, req, origin, HttpResponseStatus.SERVICE_UNAVAILABLE, "unavailable", "node starting",
                    CloseCode.TRY_AGAIN_LATER, 1);
            return;
        }
        if (origin != null && !anyOrigin && !origins.contains(origin.toLowerCase(Locale.ROOT))) {
            context.metrics().handshakeRejected(HandshakeRejection.ORIGIN);
            HttpReplies.error(ctx, req, HttpResponseStatus.FORBIDDEN, "forbidden", "origin not allowed", null);
            return;
        }
        if (!admittedByRate(ctx, req, origin)) {
            return;
        }
        // Verification runs off the event loop (a JWKS fetch may block), or at once for a token verified a moment
        // ago (a client reconnecting); the handshake resumes here.
        req.retain();
        context.tokens().verifyAsync(token(req)).whenComplete((principal, error) -> OnEventLoop.run(ctx.executor(), () -> {
            try {
                verified(ctx, req, origin, principal, error);
            } finally {
                req.release();
            }
        }, req::release));
    }

    /**
     * The handshake rates, per client address and then per node, checked before the token: refuses with 429
     * or 503 and {@code Retry-After} (browsers: close 4029 or 1013) and returns false when over one.
     */
    private boolean admittedByRate(ChannelHandlerContext ctx, FullHttpRequest req, String origin) {
        int wait = rate.takeForAddress(ClientAddress.get(ctx.channel()));
        if (wait > 0) {
            context.metrics().handshakeRejected(HandshakeRejection.ADDRESS_RATE);
            refuseForRate(ctx, req, origin, HttpResponseStatus.TOO_MANY_REQUESTS, "rate_limited",
                    "too many handshakes from this address", CloseCode.RATE_LIMITED, wait);
            return false;
        }
        wait = rate.takeForNode();
        if (wait > 0) {
            context.metrics().handshakeRejected(HandshakeRejection.NODE_RATE);
            refuseForRate(ctx, req, origin, HttpResponseStatus.SERVICE_UNAVAILABLE, "unavailable",
                    "over the handshake admission rate", CloseCode.TRY_AGAIN_LATER, wait);
            return false;
        }
        return true;
    }

    private void refuseForRate(ChannelHandlerContext ctx, FullHttpRequest req, String origin, HttpResponseStatus status,
                               String code, String message, CloseCode closeCode, int retryAfterSeconds) {
        if (origin == null) {
            HttpReplies.retryLater(ctx, status, code, message, retryAfterSeconds);
        } else {
            upgradeAndClose(ctx, req, closeCode, message + ": retry after " + retryAfterSeconds + " s");
        }
    }

    private void verified(ChannelHandlerContext ctx, FullHttpRequest req, String origin, Principal principal,
                          Throwable error) {
        if (!ctx.channel().isActive()) {
            return;
        }
        if (error instanceof TokenVerifier.VerifierBusyException) {
            context.metrics().handshakeRejected(HandshakeRejection.VERIFIER_BUSY);
            if (origin == null) {
                HttpReplies.busy(ctx, req);
            } else {
                upgradeAndClose(ctx, req, CloseCode.TRY_AGAIN_LATER, "retry after 1 s");
            }
            return;
        }
        if (error != null) {
            context.metrics().handshakeRejected(HandshakeRejection.UNAUTHORIZED);
            String why = error instanceof TokenVerifier.InvalidTokenException ? error.getMessage() : "invalid token";
            if (origin == null) {
                HttpReplies.error(ctx, req, HttpResponseStatus.UNAUTHORIZED, "unauthorized", why, null);
            } else {
                upgradeAndClose(ctx, req, CloseCode.UNAUTHORIZED, why);
            }
            return;
        }
        if (farmLimit > 0) {
            // The farm-wide limit asks the coordinator for the user's connections elsewhere (off the event loop;
            // unknown, when Redis fails, admits); the handshake resumes here.
            req.retain();
            context.coordinator().connectionsElsewhere(principal.subject()).whenComplete((elsewhere, e) ->
                    OnEventLoop.run(ctx.executor(), () -> {
                        try {
                            if (ctx.channel().isActive()) {
                                admit(ctx, req, origin, principal, e == null ? elsewhere : -1);
                            }
                        } finally {
                            req.release();
                        }
                    }, req::release));
            return;
        }
        admit(ctx, req, origin, principal, -1);
    }

    /** Takes the connection slots and upgrades; {@code elsewhere}: the user's connections on other nodes, -1 unknown. */
    private void admit(ChannelHandlerContext ctx, FullHttpRequest req, String origin, Principal principal, int elsewhere) {
        WebSocketServerHandshaker handshaker = handshaker(req);
        if (handshaker == null) {
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
            return;
        }
        ConnectionAdmission.Refusal refusal = elsewhere >= 0
                && elsewhere + admission.connectionsOf(principal.subject()) >= farmLimit
                ? ConnectionAdmission.Refusal.USER_FULL : admission.admit(principal.subject(), ctx.channel());
        if (refusal == ConnectionAdmission.Refusal.NODE_FULL) {
            context.metrics().handshakeRejected(HandshakeRejection.NODE_FULL);
            if (origin == null) {
                HttpReplies.send(ctx, req, HttpResponseStatus.SERVICE_UNAVAILABLE, "application/json",
                        "{\"error\":{\"code\":\"unavailable\",\"message\":\"node at its connection limit\"}}"
                                .getBytes(java.nio.charset.StandardCharsets.UTF_8), "5");
            } else {
                upgradeAndClose(ctx, req, CloseCode.TRY_AGAIN_LATER, "node at its connection limit: retry after 5 s");
            }
            return;
        }
        if (refusal == ConnectionAdmission.Refusal.USER_FULL) {
            context.metrics().handshakeRejected(HandshakeRejection.USER_FULL);
            if (origin == null) {
                HttpReplies.error(ctx, req, HttpResponseStatus.TOO_MANY_REQUESTS, "limit_exceeded",
                        "too many connections for this user", null);
            } else {
                upgradeAndClose(ctx, req, CloseCode.RATE_LIMITED, "too many connections for this user");
            }
            return;
        }
        // 64 random bits: at 100,000 connections a collision is a 1-in-3-billion event (32 bits made a few likely)
        String sessionId = Long.toHexString(ThreadLocalRandom.current().nextLong() | 0x1000000000000000L);
        int loopIndex = loops.of(ctx.channel().eventLoop());
        handshaker.handshake(ctx.channel(), req).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                f.channel().close();
                return;
            }
            HandshakeDeadline.known(f.channel());
            String user = principal.subject();
            context.coordinator().connectionOpened(user);
            f.channel().closeFuture().addListener(c -> context.coordinator().connectionClosed(user));
            ChannelPipeline p = f.channel().pipeline();
            p.addBefore(HttpRouter.NAME, "utf8", new Utf8FrameValidator(true));
            p.addBefore(HttpRouter.NAME, "aggregator", new WebSocketFrameAggregator(context.config().ws().maxFrameBytes()));
            p.replace(HttpRouter.NAME, "session", new SessionHandler(context, loopIndex, principal, sessionId,
                    ClientAddress.of(f.channel())));
        });
    }

    private String token(FullHttpRequest req) {
        String t = HttpTokens.bearer(req);
        if (t == null) {
            t = HttpTokens.subprotocol(req);
        }
        if (t == null && allowQueryToken) {
            t = HttpTokens.query(req);
        }
        return t;
    }

    private WebSocketServerHandshaker handshaker(FullHttpRequest req) {
        // The token must go no further than this point: Netty's handshaker logs subprotocols it rejects.
        HttpTokens.stripBearerSubprotocol(req);
        String url = "ws://" + req.headers().get(HttpHeaderNames.HOST, "localhost") + context.config().ws().path();
        return new WebSocketServerHandshakerFactory(url, HttpTokens.SUBPROTOCOL, decoderConfig).newHandshaker(req);
    }

    private void upgradeAndClose(ChannelHandlerContext ctx, FullHttpRequest req, CloseCode code, String reason) {
        WebSocketServerHandshaker handshaker = handshaker(req);
        if (handshaker == null) {
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
            return;
        }
        handshaker.handshake(ctx.channel(), req).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                f.channel().writeAndFlush(new CloseWebSocketFrame(code.code(), reason)).addListener(ChannelFutureListener.CLOSE);
            } else {
                f.channel().close();
            }
        });
    }

    /**
     * A draining node takes no new connection: 503 with {@code Retry-After}; a browser from an allowed origin is
     * upgraded and closed with 1012, whose "reconnect now" takes it to another node (this one is not ready).
     */
    private void refuseWhileDraining(ChannelHandlerContext ctx, FullHttpRequest req) {
        String origin = req.headers().get(HttpHeaderNames.ORIGIN);
        if (origin != null && (anyOrigin || origins.contains(origin.toLowerCase(Locale.ROOT)))) {
            upgradeAndClose(ctx, req, CloseCode.SERVICE_RESTART, "node draining: reconnect");
        } else {
            HttpReplies.draining(ctx, req);
        }
    }
}
