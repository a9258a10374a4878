package io.tickwire.gateway.transport;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.tickwire.gateway.config.GatewayConfig;
import java.io.File;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * The server's TLS context from PEM files: TLS 1.3 and 1.2 only, and for 1.2 only forward-secret AEAD
 * suites (ECDHE with AES-GCM or ChaCha20-Poly1305), as current guidance for servers asks.
 */
final class TlsContexts {

    static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    static final List<String> CIPHERS = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private TlsContexts() {}

    /** The context for {@code tls}, or null when TLS is not configured. */
    static SslContext serverContext(GatewayConfig.Tls tls) {
        if (!tls.enabled()) {
            return null;
        }
        try {
            return SslContextBuilder.forServer(new File(tls.certFile()), new File(tls.keyFile()))
                    .sslProvider(SslProvider.JDK)
                    .protocols(PROTOCOLS)
                    .ciphers(CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("tls.cert-file / tls.key-file: cannot use them: " + e.getMessage(), e);
        }
    }
}
