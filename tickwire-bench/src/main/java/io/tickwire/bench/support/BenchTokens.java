package io.tickwire.bench.support;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.List;

/**
 * HS256 tokens signed with the gateway's shared secret ({@code TICKWIRE_AUTH_HMAC_SECRET}): one subject per
 * connection, because the gateway caps connections per user, and one publisher token with
 * {@code tickwire:publish}.
 */
public final class BenchTokens {

    public static final String PUBLISH_SCOPE = "tickwire:publish";

    private final MACSigner signer;
    private final long expiresAtMillis;

    public BenchTokens(String hmacSecret, long validForMillis) {
        try {
            this.signer = new MACSigner(hmacSecret.getBytes(StandardCharsets.UTF_8));
        } catch (JOSEException e) {
            throw new IllegalArgumentException("--secret: " + e.getMessage(), e);
        }
        this.expiresAtMillis = System.currentTimeMillis() + validForMillis;
    }

    public String subscriber(int connection) {
        return mint("bench-" + connection, null, List.of());
    }

    /** A client's token for {@code subject}, granting {@code rooms} (for kinds with access: granted). */
    public String client(String subject, List<String> rooms) {
        return mint(subject, null, rooms);
    }

    public String publisher() {
        return mint("bench-publisher", PUBLISH_SCOPE, List.of());
    }

    private String mint(String subject, String scope, List<String> rooms) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .subject(subject)
                .issueTime(new Date())
                .expirationTime(new Date(expiresAtMillis))
                .claim("rooms", rooms);
        if (scope != null) {
            claims.claim("scope", scope);
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }
}
