package io.tickwire.redis;

import java.util.Objects;

/**
 * One revocation as the farm shares it: a token by its {@code jti}, or every token of a user issued before a time.
 * {@code forgetAt} is when it can no longer matter (the token's expiry plus leeway, or the retention for a user),
 * decided by the node that revoked; every node keeps it until then and Redis trims it after.
 *
 * @param issuedBefore for {@link Kind#USER}: tokens issued before this time (epoch ms) are refused; 0 for a jti
 */
public record Revocation(Kind kind, String key, long issuedBefore, long forgetAt) {

    /** What {@link #key} names. */
    public enum Kind {
        /** A token's {@code jti}. */
        JTI("jti"),
        /** A user ({@code sub}). */
        USER("user");

        final String wire;

        Kind(String wire) {
            this.wire = wire;
        }

        static Kind ofWire(String s) {
            for (Kind k : values()) {
                if (k.wire.equals(s)) {
                    return k;
                }
            }
            return null;
        }
    }

    public Revocation {
        Objects.requireNonNull(kind, "kind");
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("key must not be empty");
        }
        if (kind == Kind.JTI && issuedBefore != 0) {
            throw new IllegalArgumentException("issuedBefore goes with a user, not a jti");
        }
        if (issuedBefore < 0 || forgetAt <= 0) {
            throw new IllegalArgumentException("issuedBefore and forgetAt must be epoch ms, got "
                    + issuedBefore + " and " + forgetAt);
        }
    }

    /** The token with this {@code jti}, until {@code forgetAt}. */
    public static Revocation token(String jti, long forgetAt) {
        return new Revocation(Kind.JTI, jti, 0, forgetAt);
    }

    /** The tokens of {@code user} issued before {@code issuedBefore}, until {@code forgetAt}. */
    public static Revocation user(String user, long issuedBefore, long forgetAt) {
        return new Revocation(Kind.USER, user, issuedBefore, forgetAt);
    }
}
