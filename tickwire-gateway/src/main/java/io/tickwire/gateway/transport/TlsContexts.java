package io.tickwire.gateway.transport;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.tickwire.gateway.config.GatewayConfig;
import java.io.File;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
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

    /**
     * A certificate and a key that do not belong together would let the gateway start and fail every TLS
     * handshake: sign with the key, verify with the certificate, before serving. (PKCS#8 keys, which the
     * JDK provider needs anyway.)
     */
    static void checkKeyMatchesCertificate(GatewayConfig.Tls tls) {
        try {
            X509Certificate cert;
            try (InputStream in = Files.newInputStream(Path.of(tls.certFile()))) {
                cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            }
            String pem = Files.readString(Path.of(tls.keyFile()), StandardCharsets.US_ASCII);
            int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
            int end = pem.indexOf("-----END PRIVATE KEY-----");
            if (begin < 0 || end < begin) {
                throw new IllegalArgumentException("tls.key-file: expected a PKCS#8 PEM key (BEGIN PRIVATE KEY)");
            }
            byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + 27, end));
            String type = cert.getPublicKey().getAlgorithm(); // RSA or EC
            PrivateKey key = KeyFactory.getInstance(type).generatePrivate(new PKCS8EncodedKeySpec(der));
            String algorithm = type.equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
            byte[] probe = "tickwire".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(cert.getPublicKey());
            verifier.update(probe);
            if (!verifier.verify(signature)) {
                throw new IllegalArgumentException("tls.key-file is not the key of the certificate in tls.cert-file");
            }
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalArgumentException("tls.cert-file / tls.key-file: cannot use them: " + e.getMessage(), e);
        }
    }

    /** The context for {@code tls}, or null when TLS is not configured. */
    static SslContext serverContext(GatewayConfig.Tls tls) {
        if (!tls.enabled()) {
            return null;
        }
        checkKeyMatchesCertificate(tls);
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
