package io.tickwire.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * One WebSocket connection attempt to one gateway: TCP connect, upgrade with the token, {@code welcome},
 * then text frames in and out until it ends, which it reports exactly once as a {@link ConnectionEnd}. It
 * answers the server's pings and treats a silence longer than the dead-connection limit as a lost
 * connection. Everything runs on the client's event loop.
 *
 * <p>Pipeline: [TLS] → HTTP codec → aggregator (upgrade response only), replaced after the upgrade by the
 * WebSocket codec → frame aggregator → silence watch (after {@code welcome}) → {@link Handler}.
 */
final class Connection {

    static final String SUBPROTOCOL = "tickwire.v1";

    /** Told what happens on the connection, on the event loop. */
    interface Events {
        void onWelcome(Connection c, JsonNode welcome);

        void onMessage(Connection c, JsonNode msg);

        void onEnd(Connection c, ConnectionEnd end);
    }

    private final URI url;
    private final Events events;
    private final ClientOptions options;
    private Channel channel;
    private ConnectionEnd end; // the cause once known (close frame, refusal, silence)
    private boolean ended;
    private boolean closing;

    private Connection(URI url, ClientOptions options, Events events) {
        this.url = url;
        this.options = options;
        this.events = events;
    }

    URI url() {
        return url;
    }

    /** Starts an attempt to {@code url} on {@code loop}; the outcome arrives through {@code events}. */
    static Connection open(EventLoop loop, URI url, String token, ClientOptions options, Events events) {
        Connection c = new Connection(url, options, events);
        c.start(loop, token);
        return c;
    }

    private void start(EventLoop loop, String token) {
        boolean tls = "wss".equalsIgnoreCase(url.getScheme());
        int port = url.getPort() != -1 ? url.getPort() : tls ? 443 : 80;
        SslContext ssl;
        try {
            ssl = tls ? SslContextBuilder.forClient().build() : null;
        } catch (SSLException e) {
            loop.execute(() -> finish(ConnectionEnd.lost("TLS setup failed: " + e.getMessage())));
            return;
        }
        HttpHeaders headers = new DefaultHttpHeaders();
        String subprotocols = SUBPROTOCOL;
        if (options.tokenPlacement() == TokenPlacement.AUTHORIZATION_HEADER) {
            headers.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + token);
        } else {
            subprotocols = SUBPROTOCOL + ", bearer." + token;
        }
        // No Origin header: the gateway treats a request without one as a non-browser client (HTTP refusals).
        WebSocketClientHandshaker handshaker = WebSocketClientHandshakerFactory.newHandshaker(url,
                WebSocketVersion.V13, subprotocols, false, headers, options.maxMessageBytes(), true, false, -1,
                false, false);
        Handler handler = new Handler(handshaker);
        Bootstrap b = new Bootstrap().group(loop).channel(options.channelType())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) options.connectTimeout().toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ChannelPipeline p = ch.pipeline();
                        if (ssl != null) {
                            p.addLast(ssl.newHandler(ch.alloc(), url.getHost(), port));
                        }
                        p.addLast(new HttpClientCodec(), new HttpObjectAggregator(64 * 1024));
                        p.addLast("tickwire", handler);
                    }
                });
        channel = b.connect(url.getHost(), port).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                finish(ConnectionEnd.lost("connect failed: " + f.cause()));
            }
        }).channel();
    }

    /** Sends one text frame; dropped silently once the connection is closing (the next one resends state). */
    void send(String json) {
        if (!closing && channel != null && channel.isActive()) {
            channel.writeAndFlush(new TextWebSocketFrame(json), channel.voidPromise());
        }
    }

    /** Closes politely with {@code code}; the end is still reported (and ignored by a client that closed it). */
    void close(int code, String reason) {
        if (closing || channel == null) {
            return;
        }
        closing = true;
        if (channel.isActive()) {
            channel.writeAndFlush(new CloseWebSocketFrame(code, reason)).addListener(ChannelFutureListener.CLOSE);
        } else {
            channel.close();
        }
    }

    private void finish(ConnectionEnd fallback) {
        if (!ended) {
            ended = true;
            events.onEnd(this, end != null ? end : fallback);
        }
    }

    private final class Handler extends SimpleChannelInboundHandler<Object> {

        private final WebSocketClientHandshaker handshaker;
        private boolean welcomed;
        private long deadAfterMillis;
        private ScheduledFuture<?> welcomeDeadline;

        Handler(WebSocketClientHandshaker handshaker) {
            this.handshaker = handshaker;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            handshaker.handshake(ctx.channel());
            long limit = options.connectTimeout().toMillis();
            welcomeDeadline = ctx.executor().schedule(() -> {
                end = ConnectionEnd.lost("no welcome within " + limit + " ms");
                ctx.close();
            }, limit, TimeUnit.MILLISECONDS);
            ctx.fireChannelActive();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (welcomeDeadline != null) {
                welcomeDeadline.cancel(false);
            }
            finish(ConnectionEnd.lost("connection lost"));
            ctx.fireChannelInactive();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object msg) throws IOException {
            if (!handshaker.isHandshakeComplete()) {
                upgradeResponse(ctx, (FullHttpResponse) msg);
            } else if (msg instanceof TextWebSocketFrame text) {
                JsonNode json = Messages.parse(new ByteBufInputStream(text.content()));
                if (!welcomed && "welcome".equals(json.path("type").asText())) {
                    welcomed = true;
                    welcomeDeadline.cancel(false);
                    long heartbeat = json.path("heartbeat_ms").asLong(0);
                    long deadAfter = options.deadAfter() != null ? options.deadAfter().toMillis() : 3 * heartbeat;
                    deadAfterMillis = deadAfter;
                    if (deadAfter > 0) {
                        ctx.pipeline().addBefore(ctx.name(), "silence",
                                new IdleStateHandler(deadAfter, 0, 0, TimeUnit.MILLISECONDS));
                    }
                    events.onWelcome(Connection.this, json);
                } else {
                    events.onMessage(Connection.this, json);
                }
            } else if (msg instanceof PingWebSocketFrame ping) {
                ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()), ctx.voidPromise());
            } else if (msg instanceof CloseWebSocketFrame close) {
                if (end == null) {
                    end = ConnectionEnd.closed(close.statusCode(), close.reasonText());
                }
                if (!closing) {
                    closing = true; // echo the close (RFC 6455 §5.5.1), then let the server end TCP or end it here
                    ctx.writeAndFlush(new CloseWebSocketFrame(close.statusCode(), close.reasonText()))
                            .addListener(ChannelFutureListener.CLOSE);
                }
            }
            // Pong and binary frames carry nothing for this client.
        }

        private void upgradeResponse(ChannelHandlerContext ctx, FullHttpResponse res) {
            if (!res.status().equals(HttpResponseStatus.SWITCHING_PROTOCOLS)) {
                end = ConnectionEnd.refused(res.status().code(), retryAfterMillis(res.headers()));
                ctx.close();
                return;
            }
            try {
                handshaker.finishHandshake(ctx.channel(), res);
            } catch (WebSocketHandshakeException e) {
                end = ConnectionEnd.lost("bad upgrade response: " + e.getMessage());
                ctx.close();
                return;
            }
            ctx.pipeline().addBefore(ctx.name(), "frames", new WebSocketFrameAggregator(options.maxMessageBytes()));
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent idle && idle.state() == IdleState.READER_IDLE) {
                if (end == null) {
                    end = ConnectionEnd.lost("dead: no frame for " + deadAfterMillis + " ms");
                }
                ctx.close();
            } else {
                ctx.fireUserEventTriggered(evt);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (end == null) {
                end = ConnectionEnd.lost(cause.toString());
            }
            ctx.close();
        }
    }

    /** {@code Retry-After} in seconds (the gateway's form), as milliseconds; 0 if absent or a date. */
    private static long retryAfterMillis(HttpHeaders headers) {
        String value = headers.get(HttpHeaderNames.RETRY_AFTER);
        try {
            return value == null ? 0 : Math.max(0, Long.parseLong(value.trim())) * 1000;
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
