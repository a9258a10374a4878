package io.tickwire.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.tickwire.gateway.testing.JdkWsClient;
import io.tickwire.gateway.testing.JdkWsClient.HandshakeRefused;
import io.tickwire.gateway.testing.JdkWsClient.TokenPlace;
import io.tickwire.gateway.testing.TestGateway;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Keys, PEM files, signed and forged tokens, and the accept/refuse assertions the auth tests share. */
final class AuthFixtures {

    static final Duration CLOSE_WAIT = Duration.ofSeconds(10);
    private static final java.util.regex.Pattern TCHARS = java.util.regex.Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    private AuthFixtures() {}

    // ---------------------------------------------------------------- claims and signing

    static long inAnHour() {
        return System.currentTimeMillis() + 3_600_000;
    }

    /** sub, iat now, exp in an hour, rooms [account:1]. */
    static JWTClaimsSet.Builder claims(String subject) {
        return new JWTClaimsSet.Builder().subject(subject).issueTime(new Date())
                .expirationTime(new Date(inAnHour())).claim("rooms", List.of("account:1"));
    }

    static JWSSigner signerFor(JWK key) {
        try {
            if (key instanceof RSAKey rsa) {
                return new RSASSASigner(rsa);
            }
            if (key instanceof ECKey ec) {
                return new ECDSASigner(ec);
            }
            if (key instanceof OctetSequenceKey oct) {
                return new MACSigner(oct);
            }
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        throw new IllegalArgumentException("no signer for " + key.getKeyType());
    }

    static String sign(JWSHeader header, JWSSigner signer, JWTClaimsSet claims) {
        SignedJWT jwt = new SignedJWT(header, claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    static String sign(JWSAlgorithm alg, JWK key, JWTClaimsSet claims) {
        return sign(new JWSHeader(alg), signerFor(key), claims);
    }

    /** Signs with {@code key}, putting its {@code kid} in the header. */
    static String signWithKid(JWSAlgorithm alg, JWK key, JWTClaimsSet claims) {
        return sign(new JWSHeader.Builder(alg).keyID(key.getKeyID()).build(), signerFor(key), claims);
    }

    static String hmac(JWSAlgorithm alg, byte[] secret, JWTClaimsSet claims) {
        try {
            return sign(new JWSHeader(alg), new MACSigner(secret), claims);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    static String hmac(JWSAlgorithm alg, String secret, JWTClaimsSet claims) {
        return hmac(alg, secret.getBytes(StandardCharsets.UTF_8), claims);
    }

    static String b64(String text) {
        return b64(text.getBytes(StandardCharsets.UTF_8));
    }

    static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    // ---------------------------------------------------------------- PEM files

    static String pem(PublicKey key) {
        return "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }

    static Path writePem(Path dir, String name, PublicKey key) {
        try {
            return Files.writeString(dir.resolve(name), pem(key), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A self-signed certificate and its private key, made by {@code openssl}. */
    record Certificate(Path certFile, PrivateKey privateKey, PublicKey publicKey) {}

    /**
     * {@code openssl req -x509 -newkey <newkey> -nodes ...}; {@code keyAlgorithm} is "RSA" or "EC",
     * {@code extra} e.g. {@code -pkeyopt ec_paramgen_curve:P-256}.
     */
    static Certificate selfSigned(Path dir, String name, String keyAlgorithm, String newkey, String... extra) {
        Path key = dir.resolve(name + "-key.pem");
        Path cert = dir.resolve(name + "-cert.pem");
        List<String> cmd = new ArrayList<>(List.of("openssl", "req", "-x509", "-newkey", newkey));
        cmd.addAll(List.of(extra));
        cmd.addAll(List.of("-nodes", "-keyout", key.toString(), "-out", cert.toString(), "-days", "1", "-subj", "/CN=test"));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("openssl failed: " + out);
            }
            String keyPem = Files.readString(key, StandardCharsets.US_ASCII);
            String b64 = keyPem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            assertThat(keyPem).as("openssl writes PKCS#8").contains("-----BEGIN PRIVATE KEY-----");
            PrivateKey privateKey = KeyFactory.getInstance(keyAlgorithm)
                    .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64)));
            PublicKey publicKey = com.nimbusds.jose.util.X509CertUtils.parse(Files.readString(cert)).getPublicKey();
            return new Certificate(cert, privateKey, publicKey);
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------- assertions over real sockets

    static JsonNode welcome(JdkWsClient c) {
        JsonNode w = c.next();
        assertThat(w.path("type").asText()).as("first message %s", w).isEqualTo("welcome");
        assertThat(w.path("session").asText()).isNotEmpty();
        return w;
    }

    /** The token opens a session (welcome), both as a service (header) and as a browser (subprotocol + Origin). */
    static void assertAccepted(URI ws, String token, String what) {
        try (JdkWsClient c = connectOrFail(ws, token, TokenPlace.HEADER, null, what)) {
            welcome(c);
        }
        try (JdkWsClient c = connectOrFail(ws, token, TokenPlace.SUBPROTOCOL, TestGateway.ALLOWED_ORIGIN, what)) {
            welcome(c);
        }
    }

    private static JdkWsClient connectOrFail(URI ws, String token, TokenPlace place, String origin, String what) {
        try {
            return JdkWsClient.connect(ws, token, place, origin);
        } catch (HandshakeRefused e) {
            throw new AssertionError(what + " must be accepted, got " + e.getMessage(), e);
        }
    }

    /** True if the token opens a session (header, no Origin). */
    static boolean accepted(URI ws, String token) {
        try (JdkWsClient c = JdkWsClient.connect(ws, token, TokenPlace.HEADER, null)) {
            welcome(c);
            return true;
        } catch (HandshakeRefused e) {
            return false;
        }
    }

    /** The HTTP status of a refused non-browser handshake, 101 if upgraded, -1 if the client gave up (5 s). */
    static int handshakeStatus(URI ws, String token) {
        try (JdkWsClient c = JdkWsClient.connect(ws, token, TokenPlace.HEADER, null)) {
            return 101;
        } catch (HandshakeRefused e) {
            return e.status;
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof java.net.http.HttpTimeoutException) {
                return -1;
            }
            throw e;
        }
    }

    /**
     * The token is refused: 401 and no upgrade without {@code Origin}; upgraded and closed 4001 (with a
     * reason that does not echo the token, and no welcome) with the allowed {@code Origin}.
     */
    static void assertRefused(URI ws, String token, String what) {
        HandshakeRefused refused = catchThrowableOfType(HandshakeRefused.class,
                () -> JdkWsClient.connect(ws, token, TokenPlace.HEADER, null).close());
        assertThat(refused).as(what + ": must be refused before the upgrade").isNotNull();
        assertThat(refused.status).as(what + ": " + refused.getMessage()).isEqualTo(401);
        assertThat(refused.getMessage()).doesNotContain(token);
        // a browser passes the token as a subprotocol, which only takes RFC 7230 token characters
        TokenPlace browser = TCHARS.matcher(token).matches() ? TokenPlace.SUBPROTOCOL : TokenPlace.HEADER;
        try (JdkWsClient c = JdkWsClient.connect(ws, token, browser, TestGateway.ALLOWED_ORIGIN)) {
            assertThat(c.awaitClose(CLOSE_WAIT)).as(what + ": browser-style close code").isEqualTo(4001);
            assertThat(c.closeReason()).as(what).isNotBlank().doesNotContain(token);
            assertThat(c.drain(Duration.ofMillis(100))).as(what + ": nothing sent before the close").isEmpty();
        }
    }
}
