package io.tickwire.gateway.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A test client on Netty's own client side (NIO transport, its own single-threaded event loop group):
 * sends any {@link WebSocketFrame} (binary, invalid UTF-8, oversized, fragmented), parses every text
 * message from the server as JSON into a queue, answers pings, and records the close code the server
 * sent ({@code -1} if the TCP connection dropped without a close frame). Every buffer it receives is
 * released. {@link #setAutoRead(boolean) setAutoRead(false)} stops reading the socket, so the gateway
 * sees a slow reader. For hundreds of clients, {@link #connect(URI, String, EventLoopGroup, ByteBufAllocator)}
 * shares one event loop group (and optionally an allocator of their own) between them.
 */
public final class NettyWsClient extends ReceivedMessages implements AutoCloseable {

    /** The largest frame or message this client accepts from the server. */
    public static final int MAX_INBOUND_BYTES = 1 << 20;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final EventLoopGroup group;
    private final boolean ownsGroup;
    private final ByteBufAllocator allocator; // null: the channel's default
    private final CompletableFuture<Void> handshaken = new CompletableFuture<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private volatile String closeReason;
    private volatile Channel channel;

    private NettyWsClient() {
        this(new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory()), true, null);
    }

    private NettyWsClient(EventLoopGroup group, boolean ownsGroup, ByteBufAllocator allocator) {
        this.group = group;
        this.ownsGroup = ownsGroup;
        this.allocator = allocator;
    }

    /** Connects with {@code Authorization: Bearer <token>}. */
    public static NettyWsClient connect(URI uri, String token) {
        HttpHeaders headers = new DefaultHttpHeaders();
        if (token != null) {
            headers.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + token);
        }
        return connect(uri, headers);
    }

    /**
     * Connects with exactly {@code headers} (no {@code Origin} unless given); throws
     * {@link HandshakeRefused} with the HTTP status if the server refuses the upgrade.
     */
    public static NettyWsClient connect(URI uri, HttpHeaders headers) {
        NettyWsClient client = new NettyWsClient();
        try {
            client.open(uri, headers);
            return client;
        } catch (RuntimeException | Error e) {
            client.close();
            throw e;
        }
    }

    /**
     * Connects with {@code Authorization: Bearer <token>} on {@code sharedGroup}, an NIO event loop group the
     * caller owns and shuts down ({@link #close()} leaves it running), so that hundreds of clients need not
     * start a thread each. A non-null {@code allocator} serves this client's buffers, e.g. to keep them out
     * of the default allocator's metrics when the gateway under test runs in the same JVM.
     */
    public static NettyWsClient connect(URI uri, String token, EventLoopGroup sharedGroup, ByteBufAllocator allocator) {
        HttpHeaders headers = new DefaultHttpHeaders();
        if (token != null) {
            headers.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + token);
        }
        NettyWsClient client = new NettyWsClient(sharedGroup, false, allocator);
        try {
            client.open(uri, headers);
            return client;
        } catch (RuntimeException | Error e) {
            client.close();
            throw e;
        }
    }

    /** The server refused the upgrade with an HTTP status. */
    public static final class HandshakeRefused extends RuntimeException {
        public final int status;

        HandshakeRefused(int status, String message) {
            super("handshake refused: " + status + " " + message);
            this.status = status;
        }
    }

    private void open(URI uri, HttpHeaders headers) {
        WebSocketClientHandshaker handshaker = WebSocketClientHandshakerFactory.newHandshaker(
                uri, WebSocketVersion.V13, null, false, headers, MAX_INBOUND_BYTES,
                true, false, 1000, false, false);
        Handler handler = new Handler(handshaker);
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) CONNECT_TIMEOUT.toMillis())
                .option(ChannelOption.TCP_NODELAY, true);
        if (allocator != null) {
            b.option(ChannelOption.ALLOCATOR, allocator);
        }
        b.handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline()
                        .addLast("http", new HttpClientCodec())
                        .addLast("http-aggregator", new HttpObjectAggregator(64 * 1024))
                        .addLast("ws", handler);
            }
        });
        int port = uri.getPort() != -1 ? uri.getPort() : 80;
        ChannelFuture connected = b.connect(uri.getHost(), port);
        if (!connected.awaitUninterruptibly(CONNECT_TIMEOUT.toMillis()) || !connected.isSuccess()) {
            throw new IllegalStateException("cannot connect to " + uri, connected.cause());
        }
        channel = connected.channel();
        try {
            handshaken.get(CONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("handshake failed", e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("no handshake answer within " + CONNECT_TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private final class Handler extends SimpleChannelInboundHandler<Object> {

        private final WebSocketClientHandshaker handshaker;

        Handler(WebSocketClientHandshaker handshaker) {
            this.handshaker = handshaker;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            handshaker.handshake(ctx.channel()).addListener((ChannelFutureListener) f -> {
                if (!f.isSuccess()) {
                    handshaken.completeExceptionally(f.cause());
                }
            });
            ctx.fireChannelActive();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
            if (!handshaker.isHandshakeComplete()) {
                if (msg instanceof FullHttpResponse res) {
                    try {
                        handshaker.finishHandshake(ctx.channel(), res);
                    } catch (WebSocketClientHandshakeException e) {
                        HttpResponse r = e.response();
                        int status = r != null ? r.status().code() : res.status().code();
                        handshaken.completeExceptionally(new HandshakeRefused(status,
                                res.content().toString(StandardCharsets.UTF_8)));
                        ctx.close();
                        return;
                    }
                    // Whole messages, whatever the server's fragmentation.
                    ctx.pipeline().addBefore(ctx.name(), "ws-aggregator", new WebSocketFrameAggregator(MAX_INBOUND_BYTES));
                    handshaken.complete(null);
                }
                return;
            }
            if (msg instanceof TextWebSocketFrame text) {
                String s = text.text();
                try {
                    messages.add(JSON.readTree(s));
                } catch (Exception e) {
                    messages.add(JSON.createObjectNode().put("type", "__unparseable__").put("text", s));
                }
            } else if (msg instanceof BinaryWebSocketFrame bin) {
                messages.add(JSON.createObjectNode().put("type", "__binary__").put("bytes", bin.content().readableBytes()));
            } else if (msg instanceof PingWebSocketFrame ping) {
                ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
            } else if (msg instanceof CloseWebSocketFrame close) {
                closeReason = close.reasonText();
                closed.complete(close.statusCode());
                // Answer the close (RFC 6455 §5.5.1), then drop the connection.
                ctx.writeAndFlush(new CloseWebSocketFrame(true, 0, close.content().retain()))
                        .addListener(ChannelFutureListener.CLOSE);
            } else if (msg instanceof PongWebSocketFrame) {
                // nothing to do
            } else if (msg instanceof FullHttpResponse) {
                // a stray HTTP message after the upgrade: ignore
            } else if (msg instanceof WebSocketFrame) {
                // continuation frames never arrive here: the aggregator assembles them
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            handshaken.completeExceptionally(new IllegalStateException("connection closed during the handshake"));
            closed.complete(-1);
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            handshaken.completeExceptionally(cause);
            ctx.close();
        }
    }

    /** Sends one text frame and waits until it is written. */
    public void sendText(String text) {
        sendFrame(new TextWebSocketFrame(text));
    }

    /**
     * Sends {@code frame} as it is (binary, invalid UTF-8, oversized, a fragment) and waits until it is
     * written; the frame is released by the channel. Fails if the write fails.
     */
    public void sendFrame(WebSocketFrame frame) {
        ChannelFuture f = channel.writeAndFlush(frame);
        if (!f.awaitUninterruptibly(10_000)) {
            throw new AssertionError("frame not written within 10 s");
        }
        if (!f.isSuccess()) {
            throw new IllegalStateException("frame not written", f.cause());
        }
    }

    /**
     * Writes raw bytes straight to the socket, past the frame encoder (e.g. a hand-made frame header), and
     * waits until they are written.
     */
    public void sendRaw(byte[] bytes) {
        ChannelFuture f = channel.writeAndFlush(Unpooled.wrappedBuffer(bytes));
        if (!f.awaitUninterruptibly(10_000) || !f.isSuccess()) {
            throw new IllegalStateException("bytes not written", f.cause());
        }
    }

    /** Sends {@code frame} without waiting or failing (the server may have closed the connection meanwhile). */
    public ChannelFuture trySendFrame(WebSocketFrame frame) {
        return channel.writeAndFlush(frame);
    }

    /** The queue every text message from the server lands in, parsed as JSON. */
    public BlockingQueue<JsonNode> messages() {
        return messages;
    }

    /** Stops ({@code false}) or restarts ({@code true}) reading the socket. */
    public void setAutoRead(boolean autoRead) {
        channel.config().setAutoRead(autoRead);
    }

    /**
     * The close code of the server's close frame, waiting up to {@code timeout}; {@code -1} if the
     * connection dropped without one.
     */
    public int awaitClose(Duration timeout) {
        try {
            return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("not closed within " + timeout);
        } catch (ExecutionException e) {
            throw new AssertionError(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The reason text of the server's close frame, or null. */
    public String closeReason() {
        return closeReason;
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    /** Drops the TCP connection without a close handshake. */
    public void abort() {
        Channel ch = channel;
        if (ch != null) {
            ch.close().awaitUninterruptibly(5_000);
        }
    }

    @Override
    protected String closeNote() {
        return closed.isDone() ? " (closed " + closed.getNow(0) + ")" : "";
    }

    /** Drops the connection and stops the event loop, unless it is a shared one. */
    @Override
    public void close() {
        abort();
        if (ownsGroup) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10_000);
        }
    }
}
