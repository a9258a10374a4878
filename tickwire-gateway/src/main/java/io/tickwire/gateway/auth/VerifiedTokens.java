package io.tickwire.gateway.auth;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Tokens verified lately, so that a client presenting the same token again (a publisher's every request, a
 * client reconnecting) is answered without a signature check or a hop to the verifier's threads: a fixed
 * table of {@link #SLOTS} entries, direct-mapped by the token's hash, each holding the exact token string.
 * An entry serves at most {@link #MAX_AGE_MILLIS} after its verification and never past the token's expiry
 * plus leeway; the caller still checks revocation at every use. Thread-safe and lock-free; a collision only
 * costs a verification.
 */
final class VerifiedTokens {

    static final int SLOTS = 1024;
    /** How long a verification is reused: bounds how long a key removed from a JWKS still admits its tokens. */
    static final long MAX_AGE_MILLIS = 60_000;

    private record Entry(String token, Principal principal, long until) {}

    private final AtomicReferenceArray<Entry> slots = new AtomicReferenceArray<>(SLOTS);
    private final long leewayMillis;

    VerifiedTokens(long leewayMillis) {
        this.leewayMillis = leewayMillis;
    }

    /** The principal {@code token} was verified as, if that is recent and the token has not expired; else null. */
    Principal get(String token, long now) {
        if (token == null) {
            return null;
        }
        Entry e = slots.get(slot(token));
        return e != null && e.until >= now && e.token.equals(token) ? e.principal : null;
    }

    /** Remembers that {@code token} verified as {@code principal} at {@code now}. */
    void put(String token, Principal principal, long now) {
        long until = Math.min(now + MAX_AGE_MILLIS, principal.expiresAtMillis() + leewayMillis);
        slots.set(slot(token), new Entry(token, principal, until));
    }

    private static int slot(String token) {
        int h = token.hashCode();
        return (h ^ (h >>> 16)) & (SLOTS - 1);
    }
}
