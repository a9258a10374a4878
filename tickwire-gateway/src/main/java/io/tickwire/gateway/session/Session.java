package io.tickwire.gateway.session;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.ScheduledFuture;
import io.tickwire.gateway.auth.Principal;
import io.tickwire.gateway.auth.TokenVerifier;
import io.tickwire.gateway.config.GatewayConfig;
import io.tickwire.gateway.metrics.GatewayMetrics;
import io.tickwire.gateway.metrics.LoopMetrics;
import io.tickwire.gateway.room.Room;
import io.tickwire.gateway.room.RoomLimitException;
import io.tickwire.protocol.ClientOp;
import io.tickwire.protocol.CloseCode;
import io.tickwire.protocol.ErrorCode;
import io.tickwire.protocol.JsonWriter;
import io.tickwire.protocol.ProtocolException;
import io.tickwire.protocol.RoomName;
import io.tickwire.protocol.ServerMessages;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection after the upgrade: its principal, its subscriptions, its heartbeat, and every
 * frame it sends. Lives on its channel's event loop; no method may be called from another thread.
 */
public final class Session {

    private static final Logger log = LoggerFactory.getLogger(Session.class);
    /** One line per connection opened and closed; its own logger, so operators can turn it down. */
    private static final Logger connectionLog = LoggerFactory.getLogger("tickwire.connections");
    /** Written but unflushed bytes past which a connection is flushed without waiting for the batch. */
    static final int FLUSH_EARLY_BYTES = 32 * 1024;
    private static final FastThreadLocal<JsonWriter> JSON = new FastThreadLocal<>() {
        @Override
        protected JsonWriter initialValue() {
            return new JsonWriter(512);
        }
    };

    private final GatewayContext ctx;
    private final Channel channel;
    private final int loopIndex;
    private Principal principal; // replaced by a refresh
    private final String id;
    private final String clientAddress;
    private final Map<String, Subscription> subscriptions = new HashMap<>();
    private final long heartbeatNanos;
    private long lastInboundNanos = System.nanoTime();
    private ScheduledFuture<?> heartbeat;
    private ScheduledFuture<?> expiry;
    private ScheduledFuture<?> expiryWarning;
    private ScheduledFuture<?> drainClose; // the 1012 close announced by reconnect
    private boolean refreshing; // one refresh verification at a time per connection
    private final OperationBudget budget;
    private int unflushedBytes;
    private int writableCursor; // where the next writability pass starts, so no subscription starves
    private boolean flushQueued;
    private boolean flushing; // a writability change fired from inside our own flush is handled after it
    private boolean closing;
    private final LoopMetrics loopMetrics;
    private final long openedNanos = System.nanoTime();
    private int closeCode = GatewayMetrics.ABNORMAL_CLOSURE; // until a close frame is sent or received
    private boolean closedByServer;
    private long unwritableSinceNanos; // 0 = writable
    private String closeReason = "connection lost";

    Session(GatewayContext ctx, Channel channel, int loopIndex, Principal principal, String id, String clientAddress) {
        this.ctx = ctx;
        this.clientAddress = clientAddress;
        this.channel = channel;
        this.loopIndex = loopIndex;
        this.principal = principal;
        this.id = id;
        this.heartbeatNanos = TimeUnit.MILLISECONDS.toNanos(ctx.config().ws().heartbeatMs());
        this.loopMetrics = ctx.metrics().loop(loopIndex);
        this.budget = new OperationBudget(ctx.config().ws().maxOpsPerSecond(), ctx.config().ws().maxOpsBurst(),
                System.nanoTime());
    }

    GatewayContext context() {
        return ctx;
    }

    Channel channel() {
        return channel;
    }

    int loopIndex() {
        return loopIndex;
    }

    /** The counts of this session's event loop. */
    LoopMetrics loopMetrics() {
        return loopMetrics;
    }

    String id() {
        return id;
    }

    /** The token the session currently holds (a refresh replaces it). */
    Principal principal() {
        return principal;
    }

    /** Sends {@code welcome} and starts the heartbeat. */
    void open() {
        ctx.metrics().connectionOpened();
        connectionLog.info("open session={} user={} addr={}", id, loggable(principal.subject()), clientAddress());
        GatewayConfig.Ws ws = ctx.config().ws();
        send(ServerMessages.welcome(json(), id, ctx.config().nodeId(), ws.heartbeatMs(), principal.expiresAtMillis()));
        heartbeat = channel.eventLoop().scheduleAtFixedRate(this::beat, ws.heartbeatMs(), ws.heartbeatMs(),
                TimeUnit.MILLISECONDS);
        scheduleExpiry();
        ctx.sessions().add(this);
        if (ctx.tokens().revocations().isRevoked(principal)) {
            close(CloseCode.UNAUTHORIZED, "token revoked"); // revoked while the handshake was under way
        } else if (ctx.drain().draining()) {
            reconnect(ctx.drain().lateAfterMillis()); // the handshake passed the check just before the drain
        }
    }

    /**
     * The node is draining: tells the client ({@code reconnect}) and closes with 1012 {@code afterMs} later,
     * serving the subscriptions until then. Only the first call counts.
     */
    void reconnect(long afterMs) {
        if (closing || drainClose != null) {
            return;
        }
        send(ServerMessages.reconnect(json(), afterMs, GracefulDrain.REASON));
        if (!closing) {
            drainClose = channel.eventLoop().schedule(() -> close(CloseCode.SERVICE_RESTART, GracefulDrain.REASON),
                    afterMs, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * An operator's close ({@code POST /api/v1/disconnect}, {@code /api/v1/revoke}).
     *
     * @return false if the session was already closing
     */
    boolean disconnect(CloseCode code, String reason) {
        if (closing) {
            return false;
        }
        close(code, reason);
        return true;
    }

    /**
     * Answers a client's WebSocket ping, unless the channel is backed up: RFC 6455 lets a server answer
     * only the latest of several pings, and a client that pings without reading must not grow our buffers.
     */
    void answerPing(ByteBuf payload) {
        touched();
        if (writable()) {
            channel.writeAndFlush(new PongWebSocketFrame(payload.retain()),
                    channel.voidPromise());
        }
    }

    /** Any frame from the client proves it alive. */
    void touched() {
        lastInboundNanos = System.nanoTime();
    }

    void onText(byte[] frame) {
        touched();
        if (closing) {
            return;
        }
        ClientOp op = null;
        ProtocolException malformed = null;
        try {
            op = ctx.parser().parse(frame, 0, frame.length);
        } catch (ProtocolException e) {
            malformed = e;
        }
        OperationBudget.Verdict verdict = budget.take(System.nanoTime()); // malformed frames count too
        if (verdict == OperationBudget.Verdict.CLOSE) {
            ctx.metrics().rateLimited().increment();
            close(CloseCode.RATE_LIMITED, "too many operations");
            return;
        }
        String rawId = op != null ? op.rawId() : malformed.rawId();
        if (verdict == OperationBudget.Verdict.REFUSE) {
            ctx.metrics().rateLimited().increment();
            send(ServerMessages.error(json(), rawId, null, ErrorCode.RATE_LIMITED, "too many operations: slow down"));
            return;
        }
        if (malformed != null) {
            send(ServerMessages.error(json(), rawId, null, malformed.code(), malformed.getMessage()));
            return;
        }
        if (op instanceof ClientOp.Subscribe s) {
            subscribe(s);
        } else if (op instanceof ClientOp.Unsubscribe u) {
            unsubscribe(u);
        } else if (op instanceof ClientOp.Ping p) {
            send(ServerMessages.pong(json(), p.rawId()));
        } else if (op instanceof ClientOp.Refresh r) {
            refresh(r);
        }
    }

    /**
     * Warns the client ({@code token_expiring}) ahead of its token's expiry, and ends the connection (4001)
     * when the token expires (plus the leeway) without a refresh.
     */
    private void scheduleExpiry() {
        if (expiry != null) {
            expiry.cancel(false);
        }
        if (expiryWarning != null) {
            expiryWarning.cancel(false);
        }
        GatewayConfig.Auth auth = ctx.config().auth();
        long now = System.currentTimeMillis();
        long expiresAt = principal.expiresAtMillis();
        expiry = channel.eventLoop().schedule(() -> close(CloseCode.UNAUTHORIZED, "token expired"),
                Math.max(0, expiresAt + auth.leewaySeconds() * 1000L - now), TimeUnit.MILLISECONDS);
        long warnAt = expiresAt - auth.expiryWarningSeconds() * 1000L;
        expiryWarning = channel.eventLoop().schedule(() -> send(ServerMessages.tokenExpiring(json(), expiresAt)),
                Math.max(0, warnAt - now), TimeUnit.MILLISECONDS);
    }

    /** Swaps the token for a newer one of the same subject, off the event loop, then re-checks grants. */
    private void refresh(ClientOp.Refresh op) {
        if (refreshing) {
            send(ServerMessages.error(json(), op.rawId(), null, ErrorCode.RATE_LIMITED,
                    "a refresh is already in progress on this connection"));
            return;
        }
        refreshing = true;
        ctx.tokens().verifyAsync(op.token()).whenComplete((fresh, error) -> channel.eventLoop().execute(() -> {
            refreshing = false;
            if (closing) {
                return;
            }
            if (error instanceof TokenVerifier.VerifierBusyException) {
                send(ServerMessages.error(json(), op.rawId(), null, ErrorCode.RATE_LIMITED, "busy: retry the refresh shortly"));
                return;
            }
            if (error != null) {
                String why = error instanceof TokenVerifier.InvalidTokenException ? error.getMessage() : "invalid token";
                send(ServerMessages.error(json(), op.rawId(), null, ErrorCode.UNAUTHORIZED, "refresh refused: " + why));
                return;
            }
            if (ctx.tokens().revocations().isRevoked(fresh)) { // revoked while it was being verified
                send(ServerMessages.error(json(), op.rawId(), null, ErrorCode.UNAUTHORIZED, "refresh refused: token revoked"));
                return;
            }
            if (!fresh.subject().equals(principal.subject())) {
                send(ServerMessages.error(json(), op.rawId(), null, ErrorCode.UNAUTHORIZED,
                        "refresh refused: the new token is for another sub"));
                return;
            }
            principal = fresh;
            scheduleExpiry();
            send(ServerMessages.refreshed(json(), op.rawId(), fresh.expiresAtMillis()));
            for (Subscription sub : new ArrayList<>(subscriptions.values())) {
                GatewayConfig.Kind kind = sub.room().kind();
                if (kind.access() == GatewayConfig.Access.GRANTED && !fresh.grants().allows(sub.room().name())) {
                    endSubscription(sub);
                    send(ServerMessages.unsubscribed(json(), null, sub.room().name(), "forbidden"));
                }
            }
        }));
    }

    private void subscribe(ClientOp.Subscribe op) {
        for (String name : op.rooms()) {
            if (closing) {
                return;
            }
            ErrorCode refusal = null;
            String why = null;
            GatewayConfig.Kind kind = RoomName.isValid(name) ? ctx.rooms().kindOf(name) : null;
            if (!RoomName.isValid(name)) {
                refusal = ErrorCode.BAD_REQUEST;
                why = "invalid room name: expected kind:key";
            } else if (kind == null) {
                refusal = ErrorCode.NOT_FOUND;
                why = "no such room kind: " + RoomName.kindOf(name);
            } else if (kind.access() == GatewayConfig.Access.GRANTED && !principal.grants().allows(name)) {
                refusal = ErrorCode.FORBIDDEN;
                why = "token does not grant " + name;
            } else if (subscriptions.containsKey(name)) {
                refusal = ErrorCode.ALREADY_SUBSCRIBED;
                why = "already subscribed to " + name;
            } else if (subscriptions.size() >= ctx.config().rooms().maxSubscriptionsPerConnection()) {
                refusal = ErrorCode.LIMIT_EXCEEDED;
                why = "at most " + ctx.config().rooms().maxSubscriptionsPerConnection() + " subscriptions per connection";
            }
            if (refusal != null) {
                send(ServerMessages.error(json(), op.rawId(), echoable(name), refusal, why));
                continue;
            }
            Subscription sub;
            try {
                sub = join(name);
            } catch (RoomLimitException e) {
                send(ServerMessages.error(json(), op.rawId(), name, ErrorCode.LIMIT_EXCEEDED, e.getMessage()));
                continue;
            }
            Room room = sub.room();
            subscriptions.put(name, sub);
            ctx.metrics().subscriptions().incrementAndGet();
            ClientOp.ResumePoint resume = op.resume().get(name);
            room.whenWarm().whenComplete((r, error) -> {
                if (channel.eventLoop().inEventLoop()) {
                    startOrFail(sub, op.rawId(), resume, error);
                } else {
                    channel.eventLoop().execute(() -> startOrFail(sub, op.rawId(), resume, error));
                }
            });
        }
    }

    /** A client's room name as echoed back: a name longer than any valid room is cut short. */
    private static String echoable(String name) {
        return name.length() <= 100 ? name : name.substring(0, 100);
    }

    /** Registers a new subscription with the room, looking it up again if it retired in between. */
    private Subscription join(String name) throws RoomLimitException {
        while (true) {
            Subscription sub = new Subscription(this, ctx.rooms().acquire(name));
            if (sub.room().addSubscriber(loopIndex, sub)) {
                return sub;
            }
        }
    }

    private void startOrFail(Subscription sub, String rawId, ClientOp.ResumePoint resume, Throwable error) {
        if (subscriptions.get(sub.room().name()) != sub) {
            return; // unsubscribed or closed meanwhile
        }
        if (error != null) {
            endSubscription(sub);
            send(ServerMessages.error(json(), rawId, sub.room().name(), ErrorCode.INTERNAL, "room unavailable, try again"));
            return;
        }
        sub.start(rawId, resume);
    }

    private void unsubscribe(ClientOp.Unsubscribe op) {
        for (String name : op.rooms()) {
            Subscription sub = subscriptions.get(name);
            if (sub != null) {
                endSubscription(sub);
            }
            send(ServerMessages.unsubscribed(json(), op.rawId(), echoable(name), null));
        }
    }

    private void endSubscription(Subscription sub) {
        if (subscriptions.remove(sub.room().name(), sub)) {
            sub.end();
            ctx.metrics().subscriptions().decrementAndGet();
        }
    }

    /**
     * The channel can take more: serve whatever waited for it, starting each time one subscription further
     * so that an early one cannot keep the others from their turn.
     */
    void onWritable() {
        unwritableSinceNanos = 0;
        if (flushing) {
            // Netty reports writability from inside flush(), which may be inside a subscription's write:
            // serve it once that write has finished, never re-entering the subscription.
            channel.eventLoop().execute(this::onWritable);
            return;
        }
        if (closing || subscriptions.isEmpty()) {
            return;
        }
        Subscription[] subs = subscriptions.values().toArray(new Subscription[0]);
        int start = Math.floorMod(writableCursor++, subs.length);
        for (int i = 0; i < subs.length && writable(); i++) {
            subs[(start + i) % subs.length].onWritable();
        }
    }

    /**
     * The channel went above high water: if it stays there for {@code outbound.max-unwritable-ms}, the
     * client has stopped reading and is closed (4008).
     */
    void onUnwritable() {
        if (unwritableSinceNanos != 0 || closing) {
            return;
        }
        long since = System.nanoTime();
        unwritableSinceNanos = since;
        long maxMs = ctx.config().outbound().maxUnwritableMs();
        channel.eventLoop().schedule(() -> {
            if (unwritableSinceNanos == since && !channel.isWritable()) {
                close(CloseCode.SLOW_CONSUMER, "took nothing for " + maxMs + " ms");
            }
        }, maxMs, TimeUnit.MILLISECONDS);
    }

    /** Bytes written to the channel but not yet taken by the socket. */
    long pendingBytes() {
        ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
        return out == null ? 0 : out.totalPendingWriteBytes();
    }

    boolean writable() {
        return !closing && channel.isWritable();
    }

    int budgetBytes() {
        return ctx.config().outbound().budgetBytes();
    }

    /** Writes one complete WebSocket frame; flushed with the loop's batch. */
    void writeFrame(ByteBuf frame) {
        if (closing) {
            frame.release();
            return;
        }
        int size = frame.readableBytes();
        unflushedBytes += size;
        loopMetrics.frameWritten(size);
        channel.write(frame, channel.voidPromise());
        if (unflushedBytes >= FLUSH_EARLY_BYTES) {
            flushNow(); // a long batch: don't let it count against writability unsent
        } else if (!flushQueued) {
            flushQueued = true;
            LoopFlusher.current().add(this, channel);
        }
    }

    void flushNow() {
        flushQueued = false;
        unflushedBytes = 0;
        flushing = true;
        try {
            channel.flush();
        } finally {
            flushing = false;
        }
    }


    /** Sends a control message, unless the client is so far behind that it must go (4008). */
    void send(JsonWriter message) {
        if (closing) {
            return;
        }
        if (pendingBytes() > budgetBytes()) {
            close(CloseCode.SLOW_CONSUMER, "outbound budget exhausted");
            return;
        }
        writeFrame(ctx.rooms().encoder().frame(message));
    }

    JsonWriter json() {
        return JSON.get();
    }

    private void beat() {
        if (System.nanoTime() - lastInboundNanos > 3 * heartbeatNanos) {
            close(CloseCode.HEARTBEAT_TIMEOUT, "no answer for three heartbeats");
            return;
        }
        channel.writeAndFlush(new PingWebSocketFrame(), channel.voidPromise());
    }

    /**
     * Ends the session with a close frame; the socket closes once the frame is written, or after a second
     * if the client does not read it.
     */
    void close(CloseCode code, String reason) {
        if (closing) {
            return;
        }
        closing = true;
        closeCode = code.code();
        closedByServer = true;
        closeReason = reason;
        cancelTimers();
        endAll();
        // Half-close after the close frame, and keep reading (and ignoring) until the client answers: closing the
        // socket with the client's frames still unread would send a reset, which can destroy the close frame
        // before the client reads it, and with it the close code the client needs (a flooder's 4029, say).
        channel.writeAndFlush(new CloseWebSocketFrame(code.code(), reason)).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess() && f.channel() instanceof io.netty.channel.socket.DuplexChannel duplex) {
                duplex.shutdownOutput();
            } else {
                f.channel().close();
            }
        });
        channel.eventLoop().schedule(() -> {
            channel.close();
        }, 1, TimeUnit.SECONDS);
    }

    /** Serving this session threw: log it and end the connection with 1011. */
    void failed(Throwable cause) {
        log.warn("session {} failed", id, cause);
        close(CloseCode.INTERNAL_ERROR, "internal error");
    }

    /** The client sent a close frame: echo it (RFC 6455 §5.5.1) unless we already sent ours, then go. */
    void clientClosed(ByteBuf payload) {
        if (closing) {
            channel.close();
            return;
        }
        closing = true;
        closeCode = payload.readableBytes() >= 2 ? payload.getUnsignedShort(payload.readerIndex()) : 1005;
        closeReason = payload.readableBytes() > 2
                ? loggable(payload.toString(payload.readerIndex() + 2, Math.min(payload.readableBytes() - 2, 123),
                        java.nio.charset.StandardCharsets.UTF_8))
                : "";
        cancelTimers();
        endAll();
        channel.writeAndFlush(new CloseWebSocketFrame(true, 0, payload.retain())).addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * The frame decoder refused a frame and has sent the close frame itself ({@code code}, e.g. 1002 or
     * 1007); the channel closes next.
     */
    void protocolViolation(int code, String reason) {
        if (!closing) {
            closing = true;
            closeCode = code;
            closedByServer = true;
            closeReason = reason;
        }
        channel.close();
    }

    /** The channel is gone: release everything. */
    void closed() {
        cancelTimers();
        closing = true;
        endAll();
        ctx.sessions().remove(this);
        ctx.metrics().connectionClosed(closeCode, closedByServer);
        connectionLog.info("close session={} user={} addr={} duration_ms={} code={} by={} reason=\"{}\"", id,
                loggable(principal.subject()), clientAddress(), (System.nanoTime() - openedNanos) / 1_000_000, closeCode,
                closedByServer ? "server" : "client", closeReason == null ? null : loggable(closeReason));
    }

    /** Text from outside (a client, a token, an operator) made safe for one log line: no control characters, no quotes. */
    private static String loggable(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            out.append(c < 0x20 || c == 0x7f || c == '"' || c == '\\' ? '?' : c);
        }
        return out.toString();
    }

    /** The client's address: the peer's, or the one a trusted proxy reported (PROXY protocol, X-Forwarded-For). */
    private String clientAddress() {
        return clientAddress;
    }

    private void cancelTimers() {
        if (heartbeat != null) {
            heartbeat.cancel(false);
        }
        if (expiryWarning != null) {
            expiryWarning.cancel(false);
        }
        if (expiry != null) {
            expiry.cancel(false);
        }
        if (drainClose != null) {
            drainClose.cancel(false);
        }
    }

    private void endAll() {
        for (Subscription sub : new ArrayList<>(subscriptions.values())) {
            endSubscription(sub);
        }
    }
}
