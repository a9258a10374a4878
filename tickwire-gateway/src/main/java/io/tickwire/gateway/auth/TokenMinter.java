package io.tickwire.gateway.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.tickwire.gateway.config.GatewayConfig;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.List;

/**
 * Signs HS256 tokens with the gateway's own secret: {@code /dev/token} in demo mode, {@code tickwire token} for
 * operators, and tests.
 */
public final class TokenMinter {

    private final MACSigner signer;

    public TokenMinter(String hmacSecret) {
        try {
            this.signer = new MACSigner(hmacSecret.getBytes(StandardCharsets.UTF_8));
        } catch (JOSEException e) {
            throw new IllegalArgumentException("auth.hmac-secret: " + e.getMessage(), e);
        }
    }

    /**
     * A token this gateway's configuration accepts: {@code iss} and {@code aud} when {@code auth.issuer} and
     * {@code auth.audience} are set, the rooms under {@code auth.rooms-claim}, and a {@code jti} when given (so that
     * {@code POST /api/v1/revoke} can name it).
     */
    public String mint(GatewayConfig.Auth auth, String subject, List<String> rooms, String scope, long expiresAtMillis,
                       String jti) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .subject(subject)
                .issueTime(new Date())
                .expirationTime(new Date(expiresAtMillis))
                .claim(auth.roomsClaim(), rooms);
        if (!auth.issuer().isEmpty()) {
            claims.issuer(auth.issuer());
        }
        if (!auth.audience().isEmpty()) {
            claims.audience(auth.audience());
        }
        if (jti != null) {
            claims.jwtID(jti);
        }
        if (scope != null && !scope.isBlank()) {
            claims.claim("scope", scope);
        }
        return sign(claims.build());
    }

    /** A token for {@code subject} granting {@code rooms} with {@code scope} (space-separated, may be empty). */
    public String mint(String subject, List<String> rooms, String scope, long expiresAtMillis) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .subject(subject)
                .issueTime(new Date())
                .expirationTime(new Date(expiresAtMillis))
                .claim("rooms", rooms);
        if (scope != null && !scope.isBlank()) {
            claims.claim("scope", scope);
        }
        return sign(claims.build());
    }

    private String sign(JWTClaimsSet claims) {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }
}
