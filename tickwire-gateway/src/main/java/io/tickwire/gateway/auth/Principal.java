package io.tickwire.gateway.auth;

import java.util.Set;

/**
 * Who a verified token speaks for: its subject, when it expires, the rooms it grants and its scopes.
 *
 * @param expiresAtMillis the token's {@code exp} in epoch milliseconds
 */
public record Principal(String subject, long expiresAtMillis, Grants grants, Set<String> scopes) {

    public static final String SCOPE_PUBLISH = "tickwire:publish";
    public static final String SCOPE_ADMIN = "tickwire:admin";

    /** True if the token may publish to rooms of {@code kind} ({@code tickwire:publish[:kind]}). */
    public boolean mayPublish(String kind) {
        return scopes.contains(SCOPE_PUBLISH) || scopes.contains(SCOPE_PUBLISH + ":" + kind);
    }
}
