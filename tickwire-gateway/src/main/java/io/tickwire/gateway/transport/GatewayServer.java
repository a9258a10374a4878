package io.tickwire.gateway.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.tickwire.gateway.session.SessionHandler;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.tickwire.gateway.config.AddressRange;
import io.tickwire.gateway.config.GatewayConfig;
import io.tickwire.gateway.http.DevApi;
import io.tickwire.gateway.http.Readiness;
import io.tickwire.gateway.http.PublishApi;
import io.tickwire.gateway.session.GatewayContext;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The listening socket and the event loops: picks the transport (epoll where available, NIO otherwise,
 * io_uring when configured), sets the per-connection outbound limits, and builds each connection's HTTP
 * pipeline: [PROXY header decoder and reader], [TLS], HTTP codec, [{@code X-Forwarded-For} from trusted
 * proxies], handshake deadline, publish body aggregator, router. Every connection's {@link ClientAddress}
 * starts as its peer's address.
 */
public final class GatewayServer {

    /** Request line and header bounds: large enough for an oversized token to reach the verifier's 401. */
    static final int MAX_REQUEST_LINE = 16 * 1024;
    static final int MAX_HEADERS = 128 * 1024;

    /** Largest publish request body; bigger ones get 413. */
    static final int MAX_HTTP_BODY = 4 * 1024 * 1024;

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final LoopIndex loops;
    private final Class<? extends ServerChannel> channelType;
    private final String transportName;
    private final ChannelGroup channels = new DefaultChannelGroup("tickwire", GlobalEventExecutor.INSTANCE);
    private Channel serverChannel;

    public GatewayServer(GatewayConfig.Server config) {
        GatewayConfig.Transport transport = switch (config.transport()) {
            case AUTO -> Epoll.isAvailable() ? GatewayConfig.Transport.EPOLL : GatewayConfig.Transport.NIO;
            case EPOLL -> {
                Epoll.ensureAvailability();
                yield GatewayConfig.Transport.EPOLL;
            }
            case IO_URING -> {
                IoUring.ensureAvailability();
                yield GatewayConfig.Transport.IO_URING;
            }
            case NIO -> GatewayConfig.Transport.NIO;
        };
        IoHandlerFactory io = switch (transport) {
            case EPOLL -> EpollIoHandler.newFactory();
            case IO_URING -> IoUringIoHandler.newFactory();
            default -> NioIoHandler.newFactory();
        };
        this.channelType = switch (transport) {
            case EPOLL -> EpollServerSocketChannel.class;
            case IO_URING -> IoUringServerSocketChannel.class;
            default -> NioServerSocketChannel.class;
        };
        this.transportName = transport.name().toLowerCase(java.util.Locale.ROOT);
        int threads = config.ioThreads() > 0 ? config.ioThreads() : Runtime.getRuntime().availableProcessors();
        this.boss = new MultiThreadIoEventLoopGroup(1, io);
        this.workers = new MultiThreadIoEventLoopGroup(threads, io);
        this.loops = new LoopIndex(workers);
    }

    public LoopIndex loops() {
        return loops;
    }

    public String transportName() {
        return transportName;
    }

    /**
     * Bytes written to connections and not yet taken by their sockets, summed over every connection (each
     * term read without stopping its event loop: a close estimate, for the gauge).
     */
    public long pendingOutboundBytes() {
        long total = 0;
        for (Channel ch : channels) {
            io.netty.channel.ChannelOutboundBuffer out = ch.unsafe().outboundBuffer();
            if (out != null) {
                total += out.totalPendingWriteBytes();
            }
        }
        return total;
    }

    /** The most bytes any one connection has pending (read as {@link #pendingOutboundBytes()} is). */
    public long maxPendingOutboundBytes() {
        long max = 0;
        for (Channel ch : channels) {
            io.netty.channel.ChannelOutboundBuffer out = ch.unsafe().outboundBuffer();
            if (out != null) {
                max = Math.max(max, out.totalPendingWriteBytes());
            }
        }
        return max;
    }

    /** Binds and starts serving; returns the bound port. */
    public int start(GatewayContext context, DevApi dev, Readiness ready) throws InterruptedException {
        GatewayConfig config = context.config();
        GatewayConfig.Outbound out = config.outbound();
        WebSocketUpgrade upgrade = new WebSocketUpgrade(context, loops);
        PublishApi publish = new PublishApi(context);
        int maxBody = Math.max(MAX_HTTP_BODY, config.rooms().maxEventBytes() * 2);
        SslContext tls = TlsContexts.serverContext(config.tls());
        boolean proxyProtocol = config.server().proxyProtocol();
        ProxyHeaderReader proxyHeader = new ProxyHeaderReader(context.metrics());
        List<AddressRange> trusted = config.server().trustedProxies().stream().map(AddressRange::parse).toList();
        ForwardedFor forwardedFor = trusted.isEmpty() ? null : new ForwardedFor(trusted);
        PendingConnections pending = new PendingConnections(config.server().maxPendingConnections(),
                config.server().addressMaxPendingConnections());
        context.metrics().pendingConnections(pending::total);
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_SNDBUF, out.socketSendBufferBytes())
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(out.lowWaterBytes(), out.highWaterBytes()))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        channels.add(ch);
                        ClientAddress.setPeer(ch);
                        if (proxyProtocol) {
                            ch.pipeline().addLast("proxy", new HAProxyMessageDecoder())
                                    .addLast("proxy-header", proxyHeader);
                        }
                        if (tls != null) {
                            ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
                        }
                        ch.pipeline().addLast("http", new HttpServerCodec(MAX_REQUEST_LINE, MAX_HEADERS, 8192));
                        if (forwardedFor != null) {
                            ch.pipeline().addLast("forwarded-for", forwardedFor);
                        }
                        // behind a load balancer the peer is the balancer: its clients share its address
                        java.net.InetAddress peer = ClientAddress.get(ch).address();
                        boolean perAddress = !proxyProtocol && (peer == null || !ForwardedFor.isTrusted(peer, trusted));
                        ch.pipeline()
                                .addLast(HandshakeDeadline.NAME, new HandshakeDeadline(config.ws().handshakeTimeoutMs(),
                                        pending, perAddress, context.metrics()))
                                .addLast("body", new PublishBodyAggregator(maxBody))
                                .addLast(HttpRouter.NAME, new HttpRouter(context, upgrade, publish, dev, ready));
                    }
                });
        serverChannel = b.bind(config.server().host(), config.server().port()).sync().channel();
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /**
     * Stops accepting, tells every WebSocket client the server is going away (1001), gives the close
     * frames a moment to leave, and closes every connection.
     */
    public void stop() {
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        channels.forEach(ch -> ch.pipeline().fireUserEventTriggered(SessionHandler.GOING_AWAY));
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(1);
        while (!channels.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        channels.close().awaitUninterruptibly(1, java.util.concurrent.TimeUnit.SECONDS);
        boss.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
