package io.tickwire.bench.support;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringSocketChannel;
import java.util.Locale;

/**
 * The bench's own network transport, chosen by name: {@code auto} (epoll where available, else NIO),
 * {@code epoll}, {@code io_uring} or {@code nio}. The bench shares the machine with the gateway, so what
 * its receiving costs in system calls is part of what a run measures.
 */
public record NettyTransport(String name, IoHandlerFactory ioHandlerFactory,
        Class<? extends SocketChannel> socketChannel) {

    public static NettyTransport named(String name) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "auto":
                return named(Epoll.isAvailable() ? "epoll" : "nio");
            case "epoll":
                Epoll.ensureAvailability();
                return new NettyTransport("epoll", EpollIoHandler.newFactory(), EpollSocketChannel.class);
            case "io_uring":
                IoUring.ensureAvailability();
                return new NettyTransport("io_uring", IoUringIoHandler.newFactory(), IoUringSocketChannel.class);
            case "nio":
                return new NettyTransport("nio", NioIoHandler.newFactory(), NioSocketChannel.class);
            default:
                throw new IllegalArgumentException("transport: expected auto, epoll, io_uring or nio, got '" + name + "'");
        }
    }
}
