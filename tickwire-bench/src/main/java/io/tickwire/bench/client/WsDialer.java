package io.tickwire.bench.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Opens the bench's WebSocket connections: one event-loop group (epoll where available) shared by every
 * connection of the run, connection i pinned to loop i mod T so all its state stays on one thread, bound to
 * its {@link SourceAddresses source address}, with the token in {@code Authorization: Bearer} and no
 * {@code Origin} (a service, not a browser: refusals come as HTTP statuses). The pipeline is HTTP codec →
 * aggregator (upgrade response only; the handshake swaps both for WebSocket codecs) → the caller's
 * {@link WsClientHandler}.
 */
public final class WsDialer implements AutoCloseable {

    public static final int CONNECT_TIMEOUT_MILLIS = 10_000;
    private static final int MAX_FRAME_BYTES = 1 << 20;

    private final URI wsUri;
    private final InetSocketAddress remote;
    private final SourceAddresses sources;
    private final EventLoopGroup group;
    private final EventLoop[] loops;
    private final Bootstrap bootstrap;
    private final boolean epoll;

    public WsDialer(URI httpUri, int threads, int sourceIps) {
        int port = httpUri.getPort() > 0 ? httpUri.getPort() : "https".equals(httpUri.getScheme()) ? 443 : 80;
        if (!"http".equals(httpUri.getScheme())) {
            throw new IllegalArgumentException("--url must be http://host:port (TLS is not supported by the bench): " + httpUri);
        }
        this.wsUri = URI.create("ws://" + httpUri.getHost() + ":" + port + "/ws");
        this.remote = new InetSocketAddress(httpUri.getHost(), port);
        this.sources = SourceAddresses.forTarget(remote, sourceIps);
        this.epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(threads, io);
        List<EventLoop> all = new ArrayList<>();
        for (EventExecutor e : group) {
            all.add((EventLoop) e);
        }
        this.loops = all.toArray(new EventLoop[0]);
        this.bootstrap = new Bootstrap()
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS);
    }

    public String transport() {
        return epoll ? "epoll" : "nio";
    }

    public URI wsUri() {
        return wsUri;
    }

    public InetSocketAddress remote() {
        return remote;
    }

    public int sourceIps() {
        return sources.count();
    }

    /** The loop connection {@code index} lives on, for all its attempts. */
    public EventLoop loop(int index) {
        return loops[index % loops.length];
    }

    public EventLoop[] loops() {
        return loops.clone();
    }

    /** A handshaker for one attempt with {@code token}. */
    public WebSocketClientHandshaker handshaker(String token) {
        DefaultHttpHeaders headers = new DefaultHttpHeaders();
        headers.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + token);
        return WebSocketClientHandshakerFactory.newHandshaker(wsUri, WebSocketVersion.V13, null, false, headers,
                MAX_FRAME_BYTES, true, false, 10_000L, false, false);
    }

    /** Starts connection {@code index}'s attempt on its loop; {@code handler} is told everything that follows. */
    public ChannelFuture dial(int index, WsClientHandler handler) {
        Bootstrap b = bootstrap.clone(loop(index)).handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(8192), (ChannelHandler) handler);
            }
        });
        InetSocketAddress local = sources.forIndex(index);
        ChannelFuture f = local != null ? b.connect(remote, local) : b.connect(remote);
        f.addListener(done -> {
            if (!done.isSuccess()) {
                handler.connectFailed(done.cause());
            }
        });
        return f;
    }

    @Override
    public void close() throws InterruptedException {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }
}
