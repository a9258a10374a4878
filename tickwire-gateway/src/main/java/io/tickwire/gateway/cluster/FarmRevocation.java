package io.tickwire.gateway.cluster;

/**
 * A revocation as the farm shares it: one token by its {@code jti}, or every token of a user issued before
 * {@code issuedBefore} (epoch ms). {@code forgetAt} (epoch ms) is when it can no longer matter, decided by the node
 * that revoked (the token's expiry plus leeway, or the retention); every node keeps it until then.
 */
public record FarmRevocation(boolean user, String key, long issuedBefore, long forgetAt) {

    public static FarmRevocation token(String jti, long forgetAt) {
        return new FarmRevocation(false, jti, 0, forgetAt);
    }

    public static FarmRevocation ofUser(String user, long issuedBefore, long forgetAt) {
        return new FarmRevocation(true, user, issuedBefore, forgetAt);
    }
}
