package io.tickwire.gateway.transport;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.tickwire.gateway.config.AddressRange;
import io.tickwire.gateway.metrics.GatewayMetrics;
import java.net.InetAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * With {@code server.proxy-protocol}, takes the client address from the PROXY protocol header (v1 or v2)
 * that Netty's {@code HAProxyMessageDecoder}, just before it at the head of the pipeline, has read; both
 * leave the pipeline once the header is in. A {@code LOCAL} header (the balancer's own health check) or
 * an unknown address family leaves the peer's address. A connection whose header is missing or malformed
 * is closed: the decoder fails it before a byte reaches TLS or HTTP.
 */
@Sharable
final class ProxyHeaderReader extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(ProxyHeaderReader.class);

    private final GatewayMetrics metrics;

    ProxyHeaderReader(GatewayMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HAProxyMessage header)) {
            ctx.fireChannelRead(msg); // bytes after the header, read in the same batch
            return;
        }
        try {
            if (header.command() == HAProxyCommand.PROXY
                    && (header.proxiedProtocol().addressFamily() == HAProxyProxiedProtocol.AddressFamily.AF_IPv4
                    || header.proxiedProtocol().addressFamily() == HAProxyProxiedProtocol.AddressFamily.AF_IPv6)) {
                InetAddress source = AddressRange.parseLiteral(header.sourceAddress());
                if (source != null) {
                    ClientAddress.set(ctx.channel(), source);
                }
            }
        } finally {
            header.release();
        }
        ctx.pipeline().remove(this);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        metrics.handshakeRejected(GatewayMetrics.HandshakeRejection.PROXY_HEADER);
        log.debug("PROXY protocol header refused from {}: {}", ClientAddress.of(ctx.channel()), cause.getMessage());
        ctx.close();
    }
}
