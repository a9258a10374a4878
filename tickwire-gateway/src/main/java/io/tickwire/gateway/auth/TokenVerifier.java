package io.tickwire.gateway.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.tickwire.gateway.config.GatewayConfig;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Verifies JWTs signed with the configured shared secret (HS256 only: the algorithm is pinned, so
 * {@code alg:none} and every other algorithm are refused), requires {@code exp}, and turns the claims
 * into a {@link Principal}. Never logs or echoes the token.
 */
public final class TokenVerifier {

    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final String roomsClaim;

    public TokenVerifier(GatewayConfig.Auth config) {
        byte[] secret = config.hmacSecret().getBytes(StandardCharsets.UTF_8);
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.HS256, new ImmutableSecret<>(secret)));
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(null, Set.of("exp"));
        claims.setMaxClockSkew((int) Math.min(Integer.MAX_VALUE, config.leewaySeconds()));
        processor.setJWTClaimsSetVerifier(claims);
        this.roomsClaim = config.roomsClaim();
    }

    /**
     * @throws InvalidTokenException with a message safe to show the client (never the token itself)
     */
    public Principal verify(String token) throws InvalidTokenException {
        if (token == null || token.isEmpty()) {
            throw new InvalidTokenException("missing token");
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (ParseException e) {
            throw new InvalidTokenException("malformed token");
        } catch (BadJOSEException e) {
            throw new InvalidTokenException(describe(e));
        } catch (JOSEException e) {
            throw new InvalidTokenException("token could not be verified");
        }
        try {
            String subject = claims.getSubject();
            if (subject == null || subject.isEmpty()) {
                throw new InvalidTokenException("token has no sub");
            }
            List<String> rooms = claims.getClaim(roomsClaim) == null ? List.of() : claims.getStringListClaim(roomsClaim);
            return new Principal(subject, claims.getExpirationTime().getTime(), Grants.parse(rooms), scopes(claims));
        } catch (ParseException e) {
            throw new InvalidTokenException("claim " + roomsClaim + " must be a list of room grants");
        } catch (IllegalArgumentException e) {
            throw new InvalidTokenException(e.getMessage());
        }
    }

    private static Set<String> scopes(JWTClaimsSet claims) throws InvalidTokenException {
        Object scope = claims.getClaim("scope");
        Set<String> out = new LinkedHashSet<>();
        if (scope instanceof String s) {
            for (String part : s.trim().split("\\s+")) {
                if (!part.isEmpty()) {
                    out.add(part);
                }
            }
        } else if (scope instanceof List<?> list) {
            for (Object o : list) {
                if (!(o instanceof String s)) {
                    throw new InvalidTokenException("scope must be a string or a list of strings");
                }
                out.add(s);
            }
        } else if (scope != null) {
            throw new InvalidTokenException("scope must be a string or a list of strings");
        }
        return Set.copyOf(out);
    }

    private static String describe(BadJOSEException e) {
        String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
        if (m.contains("expired")) {
            return "token expired";
        }
        if (m.contains("missing required claims")) {
            return "token lacks a required claim (exp)";
        }
        if (m.contains("before")) {
            return "token not yet valid";
        }
        if (m.contains("jws algorithm") || m.contains("unsecured") || m.contains("plain")) {
            return "token algorithm not accepted";
        }
        return "invalid token signature or claims";
    }

    /** A token that does not verify; the message is safe to show. */
    public static final class InvalidTokenException extends Exception {
        public InvalidTokenException(String message) {
            super(message, null, false, false);
        }
    }
}
