package io.tickwire.gateway.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.X509CertUtils;
import io.tickwire.gateway.config.GatewayConfig;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which keys may verify which algorithms: each configured key pins its own family (the HMAC secret the HS
 * algorithms its length allows; an RSA key RS* and PS*; an EC key the ES* of its curve; the JWKS the
 * asymmetric algorithms, by {@code kid}). A token's header picks among these and nothing else: no
 * {@code alg:none}, no HS token checked against an RSA key's bytes, no key taken from the token's own
 * {@code jwk}, {@code jku} or {@code x5u}.
 */
final class KeySelection implements JWSKeySelector<SecurityContext> {

    static final Set<JWSAlgorithm> RSA_ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512);
    static final Set<JWSAlgorithm> EC_ALGORITHMS = Set.of(JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);

    private final List<JWSVerificationKeySelector<SecurityContext>> selectors;

    private KeySelection(List<JWSVerificationKeySelector<SecurityContext>> selectors) {
        this.selectors = List.copyOf(selectors);
    }

    /**
     * @throws IllegalArgumentException naming the configuration key whose value cannot be used
     */
    static KeySelection of(GatewayConfig.Auth config) {
        List<JWSVerificationKeySelector<SecurityContext>> selectors = new ArrayList<>();
        if (!config.hmacSecret().isEmpty()) {
            byte[] secret = config.hmacSecret().getBytes(StandardCharsets.UTF_8);
            Set<JWSAlgorithm> hs = new LinkedHashSet<>(List.of(JWSAlgorithm.HS256));
            if (secret.length >= 48) {
                hs.add(JWSAlgorithm.HS384);
            }
            if (secret.length >= 64) {
                hs.add(JWSAlgorithm.HS512);
            }
            // Like the PEM key below: the one secret, whatever kid the token names.
            JWK oct = new OctetSequenceKey.Builder(secret).build();
            JWKSource<SecurityContext> only = (selector, context) -> List.of(oct);
            selectors.add(new JWSVerificationKeySelector<>(hs, only));
        }
        if (!config.publicKeyFile().isEmpty()) {
            JWK jwk = readPublicKey(Path.of(config.publicKeyFile()));
            // The one configured key, whatever kid or x5t the token names: identity providers set a kid that
            // a bare PEM key cannot carry. Its algorithms are still pinned to its type.
            JWKSource<SecurityContext> only = (selector, context) -> List.of(jwk);
            selectors.add(new JWSVerificationKeySelector<>(algorithmsOf(jwk), only));
        }
        if (!config.jwksUrl().isEmpty()) {
            Set<JWSAlgorithm> asymmetric = new LinkedHashSet<>(RSA_ALGORITHMS);
            asymmetric.addAll(EC_ALGORITHMS);
            selectors.add(new JWSVerificationKeySelector<>(asymmetric, jwks(config)));
        }
        if (selectors.isEmpty()) {
            throw new IllegalArgumentException("no token verification key configured");
        }
        return new KeySelection(selectors);
    }

    @Override
    public List<? extends Key> selectJWSKeys(JWSHeader header, SecurityContext context) throws KeySourceException {
        List<Key> keys = new ArrayList<>();
        for (JWSVerificationKeySelector<SecurityContext> s : selectors) {
            if (s.isAllowed(header.getAlgorithm())) {
                keys.addAll(s.selectJWSKeys(header, context));
            }
        }
        return keys;
    }

    private static JWKSource<SecurityContext> jwks(GatewayConfig.Auth config) {
        try {
            long cacheMillis = config.jwksCacheSeconds() * 1000L;
            long minIntervalMillis = config.jwksRefreshMinSeconds() * 1000L;
            return JWKSourceBuilder.<SecurityContext>create(URI.create(config.jwksUrl()).toURL(),
                            new DefaultResourceRetriever(2000, 2000, 512 * 1024))
                    .cache(cacheMillis, 2500)
                    .refreshAheadCache(false)
                    .rateLimited(minIntervalMillis)
                    // while the JWKS server is down, keys fetched before keep verifying for a day
                    .outageTolerant(Math.max(cacheMillis, 24L * 3600 * 1000))
                    .retrying(true)
                    .build();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("auth.jwks-url: not a usable URL: " + config.jwksUrl());
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new IllegalArgumentException("auth.jwks-cache-seconds / auth.jwks-refresh-min-seconds: " + e.getMessage());
        }
    }

    private static Set<JWSAlgorithm> algorithmsOf(JWK jwk) {
        if (jwk instanceof RSAKey) {
            return RSA_ALGORITHMS;
        }
        Curve curve = ((ECKey) jwk).getCurve();
        if (Curve.P_256.equals(curve)) {
            return Set.of(JWSAlgorithm.ES256);
        }
        if (Curve.P_384.equals(curve)) {
            return Set.of(JWSAlgorithm.ES384);
        }
        if (Curve.P_521.equals(curve)) {
            return Set.of(JWSAlgorithm.ES512);
        }
        throw new IllegalArgumentException("auth.public-key-file: EC curve " + curve + " is not P-256, P-384 or P-521");
    }

    /** A PEM public key ({@code BEGIN PUBLIC KEY}) or certificate ({@code BEGIN CERTIFICATE}), RSA or EC. */
    static JWK readPublicKey(Path file) {
        String pem;
        try {
            pem = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("auth.public-key-file: cannot read " + file + ": " + e.getMessage());
        }
        PublicKey key;
        if (pem.contains("-----BEGIN CERTIFICATE-----")) {
            X509Certificate cert = X509CertUtils.parse(pem);
            if (cert == null) {
                throw new IllegalArgumentException("auth.public-key-file: " + file + " holds no readable certificate");
            }
            key = cert.getPublicKey();
        } else {
            key = parsePublicKey(pem, file);
        }
        if (key instanceof RSAPublicKey rsa) {
            if (rsa.getModulus().bitLength() < 2048) {
                throw new IllegalArgumentException("auth.public-key-file: RSA keys must have at least 2048 bits");
            }
            return new RSAKey.Builder(rsa).build();
        }
        if (key instanceof ECPublicKey ec) {
            Curve curve = Curve.forECParameterSpec(ec.getParams());
            if (curve == null) {
                throw new IllegalArgumentException("auth.public-key-file: unsupported EC curve");
            }
            return new ECKey.Builder(curve, ec).build();
        }
        throw new IllegalArgumentException("auth.public-key-file: " + file + " is neither an RSA nor an EC key");
    }

    private static PublicKey parsePublicKey(String pem, Path file) {
        int begin = pem.indexOf("-----BEGIN PUBLIC KEY-----");
        int end = pem.indexOf("-----END PUBLIC KEY-----");
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("auth.public-key-file: " + file
                    + " must hold a PEM public key (BEGIN PUBLIC KEY) or certificate (BEGIN CERTIFICATE)");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + 26, end));
        for (String algorithm : new String[] {"RSA", "EC"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
            } catch (Exception ignored) {
                // try the next key type
            }
        }
        throw new IllegalArgumentException("auth.public-key-file: " + file + " holds no readable RSA or EC public key");
    }
}
