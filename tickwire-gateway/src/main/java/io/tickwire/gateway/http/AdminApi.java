package io.tickwire.gateway.http;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.tickwire.gateway.auth.Principal;
import io.tickwire.gateway.auth.RevocationList;
import io.tickwire.gateway.auth.TokenVerifier;
import io.tickwire.gateway.cluster.Coordinator;
import io.tickwire.gateway.cluster.FarmRevocations;
import io.tickwire.gateway.cluster.NodeStatus;
import io.tickwire.gateway.metrics.GatewayMetrics;
import io.tickwire.gateway.session.GatewayContext;
import io.tickwire.protocol.CloseCode;
import io.tickwire.protocol.JsonWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Operations behind the {@code tickwire:admin} scope (contract §8), on this node: {@code GET /api/v1/cluster}
 * (the farm's nodes and their load, from the coordinator's registry), {@code POST /api/v1/disconnect} (close a user's
 * or one session's connections), {@code POST /api/v1/revoke} (refuse a token, or a user's tokens issued before a
 * time, and close the connections holding them) and {@code POST /api/v1/drain} (the graceful drain).
 */
public final class AdminApi {

    private static final Logger log = LoggerFactory.getLogger(AdminApi.class);

    /**
     * Close codes an operator may choose for a disconnect: those of the contract's table (§6) whose advice makes
     * sense after an operator's close. 4003 ("stop") is the default.
     */
    static final Set<CloseCode> DISCONNECT_CODES = Set.of(CloseCode.NORMAL, CloseCode.GOING_AWAY,
            CloseCode.INTERNAL_ERROR, CloseCode.SERVICE_RESTART, CloseCode.TRY_AGAIN_LATER, CloseCode.UNAUTHORIZED,
            CloseCode.FORBIDDEN);
    static final CloseCode DEFAULT_DISCONNECT_CODE = CloseCode.FORBIDDEN;
    static final String DEFAULT_DISCONNECT_REASON = "disconnected by operator";
    /** A close frame's reason has 123 bytes at most (RFC 6455 §5.5: 125 with the code). */
    static final int MAX_REASON_BYTES = 123;

    private static final Map<String, AdminRequest.Type> DISCONNECT_FIELDS = Map.of(
            "user", AdminRequest.Type.TEXT, "session", AdminRequest.Type.TEXT,
            "code", AdminRequest.Type.INTEGER, "reason", AdminRequest.Type.TEXT);
    private static final Map<String, AdminRequest.Type> REVOKE_FIELDS = Map.of(
            "jti", AdminRequest.Type.TEXT, "expires_at", AdminRequest.Type.INTEGER,
            "user", AdminRequest.Type.TEXT, "issued_before", AdminRequest.Type.INTEGER);

    private final GatewayContext context;
    private final long startedAt = System.currentTimeMillis();
    private final Readiness ready;

    public AdminApi(GatewayContext context, Readiness ready) {
        this.context = context;
        this.ready = ready;
    }

    /** Handles {@code path} if it is an admin operation; false otherwise. */
    public boolean handle(ChannelHandlerContext ctx, FullHttpRequest req, String path) {
        HttpMethod method;
        switch (path) {
            case "/api/v1/cluster" -> method = HttpMethod.GET;
            case "/api/v1/disconnect", "/api/v1/revoke", "/api/v1/drain" -> method = HttpMethod.POST;
            default -> {
                return false;
            }
        }
        if (!req.method().equals(method)) {
            HttpReplies.error(ctx, req, HttpResponseStatus.METHOD_NOT_ALLOWED, "bad_request", "method not allowed", null);
            return true;
        }
        req.retain();
        context.tokens().verifyAsync(HttpTokens.bearer(req)).whenComplete((principal, error) -> OnEventLoop.run(ctx.executor(), () -> {
            try {
                answer(ctx, req, path, principal, error);
            } finally {
                req.release();
            }
        }, req::release));
        return true;
    }

    private void answer(ChannelHandlerContext ctx, FullHttpRequest req, String path, Principal principal, Throwable error) {
        if (error instanceof TokenVerifier.VerifierBusyException) {
            HttpReplies.busy(ctx, req);
            return;
        }
        if (error != null) {
            String why = error instanceof TokenVerifier.InvalidTokenException ? error.getMessage() : "invalid token";
            HttpReplies.error(ctx, req, HttpResponseStatus.UNAUTHORIZED, "unauthorized", why, null);
            return;
        }
        ctx.pipeline().fireUserEventTriggered(Authenticated.EVENT); // a known operator may keep its connection
        if (!principal.isAdmin()) {
            HttpReplies.error(ctx, req, HttpResponseStatus.FORBIDDEN, "forbidden", "token lacks scope tickwire:admin", null);
            return;
        }
        // The reply of disconnect and revoke comes once the sessions' loops have acted, after req is released.
        HttpRequest head = new DefaultHttpRequest(req.protocolVersion(), req.method(), req.uri(), req.headers());
        byte[] body = ByteBufUtil.getBytes(req.content());
        try {
            switch (path) {
                case "/api/v1/cluster" -> cluster(ctx, head);
                case "/api/v1/disconnect" -> disconnect(ctx, head, AdminRequest.parse(body, DISCONNECT_FIELDS));
                case "/api/v1/revoke" -> revoke(ctx, head, AdminRequest.parse(body, REVOKE_FIELDS));
                case "/api/v1/drain" -> drain(ctx, head);
                default -> throw new IllegalStateException(path);
            }
        } catch (AdminRequest.Invalid e) {
            HttpReplies.error(ctx, head, HttpResponseStatus.BAD_REQUEST, "bad_request", e.getMessage(), null);
        }
    }

    /**
     * {@code {"coordination":"ok|degraded|off","nodes":[…]}}: the farm's live nodes from the coordinator's registry;
     * this node alone, as it stands now, when there is no farm or the registry does not answer (then
     * {@code "coordination":"degraded"} says the list is partial).
     */
    private void cluster(ChannelHandlerContext ctx, HttpRequest req) {
        Coordinator coordinator = context.coordinator();
        String self = nodeJson(new NodeStatus(context.config().nodeId(), ready.ready(), context.drain().draining(),
                context.metrics().connections().get(), context.metrics().subscriptions().get(), context.rooms().size(),
                startedAt));
        if (coordinator == Coordinator.none()) {
            HttpReplies.json(ctx, req, HttpResponseStatus.OK, "{\"coordination\":\"off\",\"nodes\":[" + self + "]}");
            return;
        }
        CompletableFuture<String> reply = coordinator.nodes().toCompletableFuture().handle((nodes, e) -> {
            if (e != null) {
                return "{\"coordination\":\"degraded\",\"nodes\":[" + self + "]}";
            }
            if (nodes.isEmpty()) { // before this node's first heartbeat
                return "{\"coordination\":\"" + coordinator.state().word() + "\",\"nodes\":[" + self + "]}";
            }
            StringBuilder json = new StringBuilder("{\"coordination\":\"")
                    .append(coordinator.state().word()).append("\",\"nodes\":[");
            for (int i = 0; i < nodes.size(); i++) {
                json.append(i == 0 ? "" : ",").append(nodeJson(nodes.get(i)));
            }
            return json.append("]}").toString();
        });
        replyWhenDone(ctx, req, reply, Function.identity());
    }

    private static String nodeJson(NodeStatus n) {
        return new JsonWriter(192).beginObject()
                .field("node", n.node())
                .field("ready", n.ready())
                .field("draining", n.draining())
                .field("connections", n.connections())
                .field("subscriptions", n.subscriptions())
                .field("rooms", n.rooms())
                .field("started_at", n.startedAt())
                .endObject().toString();
    }

    /** {@code {"user":…} | {"session":…}}, optional {@code code} and {@code reason}: {@code {"disconnected":N}}. */
    private void disconnect(ChannelHandlerContext ctx, HttpRequest req, AdminRequest body) throws AdminRequest.Invalid {
        String user = body.text("user");
        String session = body.text("session");
        if ((user == null) == (session == null)) {
            throw new AdminRequest.Invalid("give either user or session");
        }
        if ((user != null && user.isEmpty()) || (session != null && session.isEmpty())) {
            throw new AdminRequest.Invalid((user != null ? "user" : "session") + " must not be empty");
        }
        CloseCode code = DEFAULT_DISCONNECT_CODE;
        if (body.has("code")) {
            long n = body.integer("code");
            code = n == (int) n ? CloseCode.of((int) n) : null;
            if (code == null || !DISCONNECT_CODES.contains(code)) {
                throw new AdminRequest.Invalid("code must be one of 1000, 1001, 1011, 1012, 1013, 4001, 4003");
            }
        }
        String reason = body.has("reason") ? body.text("reason") : DEFAULT_DISCONNECT_REASON;
        if (reason.getBytes(StandardCharsets.UTF_8).length > MAX_REASON_BYTES) {
            throw new AdminRequest.Invalid("reason must be at most " + MAX_REASON_BYTES + " bytes of UTF-8");
        }
        context.metrics().operatorAction(GatewayMetrics.OperatorAction.DISCONNECT);
        log.info("operator disconnect of {} {} ({} {})", user != null ? "user" : "session",
                user != null ? user : session, code.code(), reason);
        CompletableFuture<Integer> closed = user != null
                ? context.sessions().closeWhere(user, p -> true, code, reason).thenApply(List::size)
                : context.sessions().closeSession(session, code, reason);
        replyWhenDone(ctx, req, closed, n -> "{\"disconnected\":" + n + "}");
    }

    /**
     * {@code {"jti":…[,"expires_at":ms]}} or {@code {"user":…[,"issued_before":ms]}} ({@code issued_before} defaults
     * to now): adds the revocation, closes the connections whose token it matches (4001), and replies
     * {@code {"revoked":true,"disconnected":N,"until":ms,"farm":"published|pending|off"}} ({@code pending}: Redis did
     * not take it now; it reaches the other nodes when coordination recovers); 507 if the revocation list is full.
     */
    private void revoke(ChannelHandlerContext ctx, HttpRequest req, AdminRequest body) throws AdminRequest.Invalid {
        String jti = body.text("jti");
        String user = body.text("user");
        if ((jti == null) == (user == null)) {
            throw new AdminRequest.Invalid("give either jti or user");
        }
        if ((jti != null && jti.isEmpty()) || (user != null && user.isEmpty())) {
            throw new AdminRequest.Invalid((jti != null ? "jti" : "user") + " must not be empty");
        }
        if (jti != null && body.has("issued_before")) {
            throw new AdminRequest.Invalid("issued_before goes with user, not with jti");
        }
        if (user != null && body.has("expires_at")) {
            throw new AdminRequest.Invalid("expires_at goes with jti, not with user");
        }
        Long expiresAt = body.integer("expires_at");
        Long issuedBefore = body.integer("issued_before");
        if ((expiresAt != null && expiresAt <= 0) || (issuedBefore != null && issuedBefore < 0)) {
            throw new AdminRequest.Invalid((expiresAt != null ? "expires_at" : "issued_before")
                    + " must be a time in epoch milliseconds");
        }
        CompletableFuture<FarmRevocations.Outcome> outcome;
        try {
            outcome = jti != null ? context.revocations().revokeToken(jti, expiresAt == null ? 0 : expiresAt)
                    : context.revocations().revokeUser(user,
                            issuedBefore == null ? System.currentTimeMillis() : issuedBefore);
        } catch (RevocationList.FullException e) {
            context.metrics().operatorAction(GatewayMetrics.OperatorAction.REVOKE_REFUSED);
            HttpReplies.error(ctx, req, HttpResponseStatus.INSUFFICIENT_STORAGE, "limit_exceeded", e.getMessage(), null);
            return;
        }
        context.metrics().operatorAction(GatewayMetrics.OperatorAction.REVOKE);
        log.info("operator revoked {}", jti != null ? "token jti " + jti : "the tokens of user " + user);
        replyWhenDone(ctx, req, outcome, o -> "{\"revoked\":true,\"disconnected\":" + o.disconnected()
                + ",\"until\":" + o.until() + ",\"farm\":\"" + o.farm() + "\"}");
    }

    /** Starts the graceful drain (idempotent): 202 {@code {"draining":true,"window_ms":…,"connections":N}}. */
    private void drain(ChannelHandlerContext ctx, HttpRequest req) {
        if (!context.drain().draining()) {
            log.info("operator started the drain");
            context.metrics().operatorAction(GatewayMetrics.OperatorAction.DRAIN);
        }
        context.drain().start();
        HttpReplies.json(ctx, req, HttpResponseStatus.ACCEPTED, new JsonWriter(96).beginObject()
                .field("draining", true)
                .field("window_ms", context.drain().windowMillis())
                .field("connections", context.sessions().size())
                .endObject().toString());
    }

    /** Answers on the connection's loop once {@code result} is known. */
    private static <T> void replyWhenDone(ChannelHandlerContext ctx, HttpRequest req, CompletableFuture<T> result,
                                          Function<T, String> json) {
        result.whenComplete((value, error) -> OnEventLoop.run(ctx.executor(), () -> {
            if (error != null) {
                log.warn("operator control failed", error);
                HttpReplies.error(ctx, req, HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal", "operation failed", null);
            } else {
                HttpReplies.json(ctx, req, HttpResponseStatus.OK, json.apply(value));
            }
        }, () -> { }));
    }
}
