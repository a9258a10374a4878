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

    private final URI[] wsUris;
    private final InetSocketAddress[] remotes;
    private final SourceAddresses sources;
    private final EventLoopGroup group;
    private final EventLoop[] loops;
    private final Bootstrap bootstrap;
    private final boolean epoll;

    public WsDialer(URI httpUri, int threads, int sourceIps) {
        this(List.of(httpUri), threads, sourceIps);
    }

    /** A dialer for several gateways (target 0 first: the others are where clients go when it fails). */
    public WsDialer(List<URI> httpUris, int threads, int sourceIps) {
        this.wsUris = new URI[httpUris.size()];
        this.remotes = new InetSocketAddress[httpUris.size()];
        for (int i = 0; i < httpUris.size(); i++) {
            URI httpUri = httpUris.get(i);
            if (!"http".equals(httpUri.getScheme())) {
                throw new IllegalArgumentException("--url must be http://host:port (TLS is not supported by the bench): "
                        + httpUri);
            }
            int port = httpUri.getPort() > 0 ? httpUri.getPort() : 80;
            wsUris[i] = URI.create("ws://" + httpUri.getHost() + ":" + port + "/ws");
            remotes[i] = new InetSocketAddress(httpUri.getHost(), port);
        }
        SourceAddresses s = null;
        for (InetSocketAddress remote : remotes) {
            s = SourceAddresses.forTarget(remote, sourceIps); // checks each target is loopback when binding
        }
        this.sources = s;
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

    /** How many gateways this dialer reaches. */
    public int targets() {
        return wsUris.length;
    }

    public String transport() {
        return epoll ? "epoll" : "nio";
    }

    public URI wsUri() {
        return wsUris[0];
    }

    public InetSocketAddress remote() {
        return remotes[0];
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

    /** A handshaker for one attempt with {@code token} at the first gateway. */
    public WebSocketClientHandshaker handshaker(String token) {
        return handshaker(token, 0);
    }

    /** A handshaker for one attempt with {@code token} at gateway {@code target}. */
    public WebSocketClientHandshaker handshaker(String token, int target) {
        DefaultHttpHeaders headers = new DefaultHttpHeaders();
        headers.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + token);
        return WebSocketClientHandshakerFactory.newHandshaker(wsUris[target], WebSocketVersion.V13, null, false, headers,
                MAX_FRAME_BYTES, true, false, 10_000L, false, false);
    }

    /** Starts connection {@code index}'s attempt on its loop; {@code handler} is told everything that follows. */
    public ChannelFuture dial(int index, WsClientHandler handler) {
        return dial(index, 0, handler);
    }

    /** {@link #dial(int, WsClientHandler)} to gateway {@code target}. */
    public ChannelFuture dial(int index, int target, WsClientHandler handler) {
        InetSocketAddress remote = remotes[target];
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
