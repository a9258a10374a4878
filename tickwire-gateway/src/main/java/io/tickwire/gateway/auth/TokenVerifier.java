package io.tickwire.gateway.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.tickwire.gateway.config.GatewayConfig;
import java.text.ParseException;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Verifies JWTs against the configured keys ({@link KeySelection}: algorithms pinned to key types),
 * checks {@code exp} (required), {@code nbf}, {@code iss} and {@code aud} (when configured) and
 * {@code iat} (when required) with the configured leeway, and turns the claims into a {@link Principal}.
 * {@link #verifyAsync} runs on the verifier's own bounded pool, so a JWKS fetch or a slow signature never
 * holds an event loop. A token that verifies but is on this node's {@link RevocationList} is refused
 * ("token revoked") here, so every path that takes a token (handshake, refresh, HTTP APIs) refuses it.
 * Never logs or echoes a token.
 */
public final class TokenVerifier implements AutoCloseable {

    /** Longer tokens are refused before any parsing. */
    public static final int MAX_TOKEN_CHARS = 8192;
    /** Verifications waiting for a thread beyond which new ones are refused (the caller answers 503). */
    static final int MAX_QUEUED = 4096;

    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final GrantRules grants;
    private final ThreadPoolExecutor pool;
    /** Verifications that may wait on the JWKS server: kept apart so they never hold up the others. */
    private final ThreadPoolExecutor jwksPool;
    private final RevocationList revocations;
    private final VerifiedTokens verified;
    private volatile java.util.function.Consumer<String> failures = reason -> { };

    /** @throws IllegalArgumentException naming the configuration key that cannot be used */
    public TokenVerifier(GatewayConfig.Auth config) {
        processor.setJWSKeySelector(KeySelection.of(config));
        Set<String> required = new HashSet<>(Set.of("exp", "sub"));
        if (config.requireIat()) {
            required.add("iat");
        }
        JWTClaimsSet.Builder exact = new JWTClaimsSet.Builder();
        if (!config.issuer().isEmpty()) {
            exact.issuer(config.issuer());
        }
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
                config.audience().isEmpty() ? null : config.audience(), exact.build(), required);
        claims.setMaxClockSkew((int) Math.min(Integer.MAX_VALUE, config.leewaySeconds()));
        processor.setJWTClaimsSetVerifier(claims);
        this.grants = new GrantRules(config.roomsClaim(), config.grantTemplates());
        this.revocations = new RevocationList(config.maxRevocations(), config.revocationRetentionSeconds() * 1000,
                config.leewaySeconds() * 1000, System::currentTimeMillis);
        this.verified = new VerifiedTokens(config.leewaySeconds() * 1000);
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        this.pool = pool("tickwire-auth-", threads);
        this.jwksPool = config.jwksUrl().isEmpty() ? null : pool("tickwire-auth-jwks-", Math.max(2, threads));
    }

    private static ThreadPoolExecutor pool(String name, int threads) {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor p = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(MAX_QUEUED), r -> {
                    Thread t = new Thread(r, name + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        p.allowCoreThreadTimeOut(true);
        return p;
    }

    /** The pool for a token: asymmetric tokens go to the JWKS pool when a JWKS is configured. */
    private ThreadPoolExecutor poolFor(String token) {
        if (jwksPool == null || token == null || token.length() > MAX_TOKEN_CHARS) {
            return pool;
        }
        int dot = token.indexOf('.');
        try {
            JWSAlgorithm alg = JWSHeader.parse(new Base64URL(dot < 0 ? token : token.substring(0, dot))).getAlgorithm();
            return JWSAlgorithm.Family.HMAC_SHA.contains(alg) ? pool : jwksPool;
        } catch (ParseException | RuntimeException e) {
            return pool; // malformed: fails fast wherever it runs
        }
    }

    /** Tells {@code listener} the {@link InvalidTokenException#reason()} of every token refused from now on. */
    public void reportFailuresTo(java.util.function.Consumer<String> listener) {
        this.failures = listener;
    }

    /** The tokens and users revoked on this node. */
    public RevocationList revocations() {
        return revocations;
    }

    /**
     * Verifies off the caller's thread. The future fails with {@link InvalidTokenException} for a bad
     * token, or {@link VerifierBusyException} when too many verifications are waiting. A token verified
     * within the last minute ({@link VerifiedTokens}) is answered at once, on the caller's thread, once its
     * expiry and revocation are checked again.
     */
    public CompletableFuture<Principal> verifyAsync(String token) {
        Principal known = verified.get(token, System.currentTimeMillis());
        if (known != null) {
            if (!revocations.isRevoked(known)) {
                return CompletableFuture.completedFuture(known);
            }
            failures.accept("revoked");
            return CompletableFuture.failedFuture(new InvalidTokenException("revoked", "token revoked"));
        }
        Verification v = new Verification(token);
        try {
            poolFor(token).execute(v);
        } catch (RejectedExecutionException e) {
            v.result.completeExceptionally(new VerifierBusyException());
        }
        return v.result;
    }

    /**
     * Verifies on the calling thread (which may block on a JWKS fetch: not for event loops).
     *
     * @throws InvalidTokenException with a message safe to show the client (never the token itself)
     */
    public Principal verify(String token) throws InvalidTokenException {
        if (token == null || token.isEmpty()) {
            throw new InvalidTokenException("missing", "missing token");
        }
        if (token.length() > MAX_TOKEN_CHARS) {
            throw new InvalidTokenException("too_large", "token too large");
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (ParseException e) {
            throw new InvalidTokenException("malformed", "malformed token");
        } catch (BadJOSEException e) {
            throw describe(e);
        } catch (JOSEException e) {
            throw new InvalidTokenException("unverifiable", "token could not be verified");
        } catch (RuntimeException e) {
            throw new InvalidTokenException("malformed", "malformed token"); // e.g. bad base64 or JSON deep inside
        }
        try {
            if (!(claims.getClaim("sub") instanceof String subject) || subject.isEmpty()) {
                throw new InvalidTokenException("missing_claim", "token has no sub (a non-empty string)");
            }
            long iat = claims.getIssueTime() == null ? 0 : claims.getIssueTime().getTime();
            Principal principal = new Principal(subject, claims.getExpirationTime().getTime(), iat, claims.getJWTID(),
                    grants.grantsOf(claims), scopes(claims));
            if (revocations.isRevoked(principal)) {
                throw new InvalidTokenException("revoked", "token revoked");
            }
            return principal;
        } catch (IllegalArgumentException e) {
            throw new InvalidTokenException("bad_claim", e.getMessage());
        }
    }

    @Override
    public void close() {
        abandon(pool.shutdownNow());
        if (jwksPool != null) {
            abandon(jwksPool.shutdownNow());
        }
    }

    /** Verifications that will never run still answer, so their callers release what they hold. */
    private static void abandon(List<Runnable> neverRun) {
        for (Runnable r : neverRun) {
            ((Verification) r).result.completeExceptionally(new VerifierBusyException());
        }
    }

    /** One queued verification and the future its caller waits on. */
    private final class Verification implements Runnable {
        final CompletableFuture<Principal> result = new CompletableFuture<>();
        private final String token;

        Verification(String token) {
            this.token = token;
        }

        @Override
        public void run() {
            try {
                Principal principal = verify(token);
                verified.put(token, principal, System.currentTimeMillis());
                result.complete(principal);
            } catch (InvalidTokenException e) {
                failures.accept(e.reason());
                result.completeExceptionally(e);
            } catch (RuntimeException e) {
                failures.accept("internal");
                result.completeExceptionally(e);
            }
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
                    throw new InvalidTokenException("bad_claim", "scope must be a string or a list of strings");
                }
                out.add(s);
            }
        } else if (scope != null) {
            throw new InvalidTokenException("bad_claim", "scope must be a string or a list of strings");
        }
        return Set.copyOf(out);
    }

    private static InvalidTokenException describe(BadJOSEException e) {
        String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        if (m.contains("expired")) {
            return new InvalidTokenException("expired", "token expired");
        }
        if (m.contains("missing required claims")) {
            int open = m.indexOf('[');
            int close = m.indexOf(']', open);
            String which = open >= 0 && close > open ? m.substring(open + 1, close) : "exp, sub";
            return new InvalidTokenException("missing_claim", "token lacks a required claim (" + which + ")");
        }
        if (m.contains("before use time") || m.contains("nbf")) {
            return new InvalidTokenException("not_yet_valid", "token not yet valid");
        }
        if (m.contains("iss claim") || m.contains("issuer")) {
            return new InvalidTokenException("issuer", "token issuer not accepted");
        }
        if (m.contains("aud claim") || m.contains("audience")) {
            return new InvalidTokenException("audience", "token audience not accepted");
        }
        if (m.contains("jws algorithm") || m.contains("unsecured") || m.contains("plain") || m.contains("another algorithm")) {
            return new InvalidTokenException("algorithm", "token algorithm or key not accepted");
        }
        return new InvalidTokenException("signature", "invalid token signature or claims");
    }

    /** A token that does not verify; the message is safe to show. */
    public static final class InvalidTokenException extends Exception {
        private final String reason;

        /**
         * @param reason the refusal as one word from a closed set (the {@code reason} tag of
         *     {@code tickwire_auth_failures_total}): missing, too_large, malformed, expired, not_yet_valid,
         *     missing_claim, issuer, audience, algorithm, signature, unverifiable, revoked, bad_claim
         */
        public InvalidTokenException(String reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }

        public String reason() {
            return reason;
        }
    }

    /** Too many verifications are waiting: try again later. */
    public static final class VerifierBusyException extends RuntimeException {
        public VerifierBusyException() {
            super("too many token verifications in progress", null, false, false);
        }
    }
}
