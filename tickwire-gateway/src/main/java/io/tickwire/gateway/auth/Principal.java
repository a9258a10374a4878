package io.tickwire.gateway.auth;

import java.util.Set;

/**
 * Who a verified token speaks for: its subject, when it expires, the rooms it grants and its scopes.
 *
 * @param expiresAtMillis the token's {@code exp} in epoch milliseconds
 * @param issuedAtMillis the token's {@code iat} in epoch milliseconds, 0 if it has none
 * @param tokenId the token's {@code jti}, null if it has none
 */
public record Principal(String subject, long expiresAtMillis, long issuedAtMillis, String tokenId, Grants grants,
                        Set<String> scopes) {

    public static final String SCOPE_PUBLISH = "tickwire:publish";
    public static final String SCOPE_ADMIN = "tickwire:admin";

    /** True if the token carries {@code tickwire:admin}. */
    public boolean isAdmin() {
        return scopes.contains(SCOPE_ADMIN);
    }

    /** True if the token may publish to rooms of {@code kind} ({@code tickwire:publish[:kind]}). */
    public boolean mayPublish(String kind) {
        return scopes.contains(SCOPE_PUBLISH) || scopes.contains(SCOPE_PUBLISH + ":" + kind);
    }
}
