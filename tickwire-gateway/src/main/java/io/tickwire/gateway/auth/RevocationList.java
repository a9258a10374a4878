package io.tickwire.gateway.auth;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Tokens revoked on this node ({@code POST /api/v1/revoke}): one token by its {@code jti}, or every token of a
 * user ({@code sub}) issued before a time; a token without {@code iat} counts as issued before any time.
 * {@link TokenVerifier} consults it once a token's signature and claims check out.
 *
 * <p>Bounded: at most {@code maxEntries} entries, and a new one beyond that is refused ({@link FullException}),
 * never accommodated by forgetting a revocation early. Each entry is forgotten when it can no longer matter: a
 * {@code jti} when its token expires (plus the leeway) if that is known, otherwise, like a user's entry, after
 * the retention. Lookups are lock-free (every verification makes one); changes take the list's lock.
 */
public final class RevocationList {

    private final int maxEntries;
    private final long retentionMillis;
    private final long leewayMillis;
    private final LongSupplier clock;
    /** jti → when the entry is forgotten (epoch ms). */
    private final Map<String, Long> tokens = new ConcurrentHashMap<>();
    private final Map<String, UserCutoff> users = new ConcurrentHashMap<>();
    /** The earliest time any entry is forgotten: no sweep is worth making before it. Guarded by {@code this}. */
    private long nextExpiry = Long.MAX_VALUE;

    /** A user's tokens issued before {@code issuedBefore} are revoked until {@code forgetAt}. */
    private record UserCutoff(long issuedBefore, long forgetAt) {}

    /**
     * @param retentionMillis how long an entry whose token expiry is unknown is kept
     * @param leewayMillis the clock skew the verifier tolerates on {@code exp}: a token is accepted that long after it
     */
    public RevocationList(int maxEntries, long retentionMillis, long leewayMillis, LongSupplier clock) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1, got " + maxEntries);
        }
        if (retentionMillis < 1) {
            throw new IllegalArgumentException("retentionMillis must be at least 1, got " + retentionMillis);
        }
        this.maxEntries = maxEntries;
        this.retentionMillis = retentionMillis;
        this.leewayMillis = leewayMillis;
        this.clock = clock;
    }

    /** True if the token {@code principal} was made from is revoked. */
    public boolean isRevoked(Principal principal) {
        if (tokens.isEmpty() && users.isEmpty()) {
            return false;
        }
        long now = clock.getAsLong();
        if (principal.tokenId() != null) {
            Long until = tokens.get(principal.tokenId());
            if (until != null && until > now) {
                return true;
            }
        }
        UserCutoff cutoff = users.get(principal.subject());
        return cutoff != null && cutoff.forgetAt > now && principal.issuedAtMillis() < cutoff.issuedBefore;
    }

    /**
     * Revokes the token with this {@code jti}.
     *
     * @param expiresAtMillis the token's {@code exp} if known, else 0 (the entry is then kept for the retention)
     * @return when the entry will be forgotten (epoch ms)
     */
    public synchronized long revokeToken(String jti, long expiresAtMillis) throws FullException {
        long now = clock.getAsLong();
        return putToken(jti, expiresAtMillis > 0 ? expiresAtMillis + leewayMillis : now + retentionMillis, now);
    }

    /** Adds or lengthens the token's entry to {@code forgetAt}; returns the entry's time. */
    private long putToken(String jti, long forgetAt, long now) throws FullException {
        Long old = live(tokens.get(jti), now);
        if (old == null) {
            makeRoom(now);
        }
        long until = old == null ? forgetAt : Math.max(old, forgetAt);
        tokens.put(jti, until);
        nextExpiry = Math.min(nextExpiry, until);
        return until;
    }

    /**
     * The revoked token's expiry became known (a connection held it): its entry need not outlive it. An entry kept
     * for the retention is shortened; a longer expiry never lengthens an entry.
     *
     * @return when the entry will be forgotten (epoch ms)
     */
    public synchronized long tokenExpiresAt(String jti, long expiresAtMillis) {
        Long until = tokens.computeIfPresent(jti, (k, old) -> Math.min(old, expiresAtMillis + leewayMillis));
        nextExpiry = Math.min(nextExpiry, expiresAtMillis + leewayMillis);
        return until == null ? expiresAtMillis + leewayMillis : until;
    }

    /**
     * Revokes every token of {@code user} issued before {@code issuedBeforeMillis} (and every one without
     * {@code iat}), for the retention. Revoking the same user again keeps the later cutoff.
     *
     * @return when the entry will be forgotten (epoch ms)
     */
    public synchronized long revokeUser(String user, long issuedBeforeMillis) throws FullException {
        long now = clock.getAsLong();
        return putUser(user, issuedBeforeMillis, now + retentionMillis, now);
    }

    /** Adds or extends the user's cutoff (the later cutoff and time win); returns the entry's time. */
    private long putUser(String user, long issuedBeforeMillis, long forgetAt, long now) throws FullException {
        UserCutoff old = users.get(user);
        if (old != null && old.forgetAt <= now) {
            old = null;
        }
        if (old == null) {
            makeRoom(now);
        }
        UserCutoff cutoff = old == null ? new UserCutoff(issuedBeforeMillis, forgetAt)
                : new UserCutoff(Math.max(old.issuedBefore, issuedBeforeMillis), Math.max(old.forgetAt, forgetAt));
        users.put(user, cutoff);
        nextExpiry = Math.min(nextExpiry, cutoff.forgetAt);
        return cutoff.forgetAt;
    }

    /**
     * Revokes the token with this {@code jti} until {@code forgetAt}, as another node of the farm decided. Ignored if
     * that time has passed; an entry held already keeps the later time.
     *
     * @return false if it was ignored
     */
    public synchronized boolean revokeTokenUntil(String jti, long forgetAt) throws FullException {
        long now = clock.getAsLong();
        if (forgetAt <= now) {
            return false;
        }
        putToken(jti, forgetAt, now);
        return true;
    }

    /**
     * Revokes the tokens of {@code user} issued before {@code issuedBeforeMillis} until {@code forgetAt}, as another
     * node of the farm decided. Ignored if that time has passed; an entry held already keeps the later cutoff and time.
     *
     * @return false if it was ignored
     */
    public synchronized boolean revokeUserUntil(String user, long issuedBeforeMillis, long forgetAt)
            throws FullException {
        long now = clock.getAsLong();
        if (forgetAt <= now) {
            return false;
        }
        putUser(user, issuedBeforeMillis, forgetAt, now);
        return true;
    }

    /** Entries held, expired ones included until a sweep forgets them. */
    public int size() {
        return tokens.size() + users.size();
    }

    /** Forgets every expired entry (called periodically, and when the list is full). */
    public synchronized void sweep() {
        long now = clock.getAsLong();
        if (now < nextExpiry) {
            return;
        }
        tokens.values().removeIf(until -> until <= now);
        users.values().removeIf(c -> c.forgetAt <= now);
        long next = Long.MAX_VALUE;
        for (long until : tokens.values()) {
            next = Math.min(next, until);
        }
        for (UserCutoff c : users.values()) {
            next = Math.min(next, c.forgetAt);
        }
        nextExpiry = next;
    }

    private static Long live(Long until, long now) {
        return until != null && until > now ? until : null;
    }

    private void makeRoom(long now) throws FullException {
        if (size() < maxEntries) {
            return;
        }
        sweep();
        if (size() >= maxEntries) {
            throw new FullException(maxEntries, Math.max(0, nextExpiry - now));
        }
    }

    /** The list holds its maximum of entries and none has expired yet. */
    public static final class FullException extends Exception {
        public FullException(int maxEntries, long nextFreeInMillis) {
            super("revocation list full: " + maxEntries + " entries (auth.max-revocations); the next one expires in "
                    + Math.max(1, (nextFreeInMillis + 999) / 1000) + " s", null, false, false);
        }
    }
}
