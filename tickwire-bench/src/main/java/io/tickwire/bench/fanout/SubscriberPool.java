package io.tickwire.bench.fanout;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.util.concurrent.EventExecutor;
import io.tickwire.bench.support.MeasureWindow;
import io.tickwire.bench.support.NettyTransport;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The bench's WebSocket subscribers: all on one event-loop group (epoll when available, or as chosen), connected at a
 * bounded rate and spread over source addresses 127.0.0.1..127.0.0.N so the gateway's per-address handshake
 * limit is not the bottleneck. A refused handshake is tried again after its Retry-After.
 */
final class SubscriberPool implements SubscriberHandler.Events {

    private static final int MAX_FRAME_BYTES = 1 << 20;

    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final Map<Object, LoopStats> statsByLoop = new IdentityHashMap<>();
    private final URI wsUri;
    private final InetSocketAddress remote;
    private final List<Subscriber> subscribers;
    private final String[] rooms;
    private final int sourceIps;
    private final MeasureWindow window;
    private final CountDownLatch allSubscribed;
    private volatile boolean closing;

    final AtomicLong refusals = new AtomicLong();
    final AtomicLong connectFailures = new AtomicLong();
    final AtomicLong unexpectedCloses = new AtomicLong();

    private final NettyTransport transport;

    SubscriberPool(URI httpUri, List<Subscriber> subscribers, String[] rooms, int sourceIps, int threads,
            NettyTransport transport, MeasureWindow window) {
        this.transport = transport;
        this.wsUri = URI.create((httpUri.getScheme().equals("https") ? "wss" : "ws") + "://"
                + httpUri.getHost() + ":" + port(httpUri) + "/ws");
        this.remote = new InetSocketAddress(httpUri.getHost(), port(httpUri));
        this.subscribers = subscribers;
        this.rooms = rooms;
        this.sourceIps = sourceIps;
        this.window = window;
        this.allSubscribed = new CountDownLatch(subscribers.size());
        this.group = new MultiThreadIoEventLoopGroup(threads, transport.ioHandlerFactory());
        for (EventExecutor loop : group) {
            statsByLoop.put(loop, new LoopStats());
        }
        this.bootstrap = new Bootstrap().group(group)
                .channel(transport.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);
    }

    String transport() {
        return transport.name();
    }

    /** Starts connecting every subscriber at {@code perSecond}, from the calling thread; returns when all have been tried once. */
    void connectAll(double perSecond) {
        long start = System.nanoTime();
        for (int i = 0; i < subscribers.size(); i++) {
            long due = start + (long) (i * 1e9 / perSecond);
            long now = System.nanoTime();
            if (due > now) {
                LockSupport.parkNanos(due - now);
            }
            connect(subscribers.get(i));
        }
    }

    boolean awaitSubscribed(long timeoutSeconds) throws InterruptedException {
        return allSubscribed.await(timeoutSeconds, TimeUnit.SECONDS);
    }

    long subscribedCount() {
        return subscribers.size() - allSubscribed.getCount();
    }

    private void connect(Subscriber s) {
        if (closing) {
            return;
        }
        s.attempts++;
        String room = rooms[s.room];
        DefaultHttpHeaders headers = new DefaultHttpHeaders();
        headers.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + s.token);
        // no Origin header: the bench is a service, not a browser, and the gateway refuses unknown origins
        var handshaker = WebSocketClientHandshakerFactory.newHandshaker(wsUri, WebSocketVersion.V13, null, false,
                headers, MAX_FRAME_BYTES, true, false, 10_000L, false, false);
        Bootstrap b = bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(65536),
                        new SubscriberHandler(handshaker, s, room, statsByLoop, window, SubscriberPool.this));
            }
        });
        InetSocketAddress local = new InetSocketAddress("127.0.0." + (1 + s.index % sourceIps), 0);
        ChannelFuture f = sourceIps > 0 && remote.getAddress().isLoopbackAddress()
                ? b.connect(remote, local) : b.connect(remote);
        s.channel = f.channel();
        f.addListener(done -> {
            if (!done.isSuccess()) {
                connectFailures.incrementAndGet();
                s.failure = String.valueOf(done.cause());
                retryLater(s, 1);
            }
        });
    }

    private void retryLater(Subscriber s, long seconds) {
        if (!closing) {
            long jitterMillis = (long) (Math.random() * 500);
            group.schedule(() -> connect(s), seconds * 1000 + jitterMillis, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void subscribed(Subscriber s) {
        allSubscribed.countDown();
    }

    @Override
    public void refused(Subscriber s, int status, long retryAfterSeconds) {
        refusals.incrementAndGet();
        s.failure = "HTTP " + status;
        if (status == 429 || status == 503) { // admission control: come back after Retry-After
            retryLater(s, retryAfterSeconds);
        }
    }

    @Override
    public void closed(Subscriber s) {
        if (s.subscribed && !closing) {
            unexpectedCloses.incrementAndGet();
        }
    }

    Iterable<LoopStats> loopStats() {
        return statsByLoop.values();
    }

    /** Closes every connection and stops the loops; afterwards everything they wrote is visible here. */
    void close() throws InterruptedException {
        closing = true;
        for (Subscriber s : subscribers) {
            Channel ch = s.channel;
            if (ch != null) {
                // a proper close (1000), so the gateway logs the bench leaving rather than a lost connection
                ch.writeAndFlush(new CloseWebSocketFrame(1000, "bench done")).addListener(ChannelFutureListener.CLOSE);
            }
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).await();
    }

    private static int port(URI uri) {
        return uri.getPort() > 0 ? uri.getPort() : uri.getScheme().equals("https") ? 443 : 80;
    }
}
