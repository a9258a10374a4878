package io.tickwire.gateway.auth;

import com.nimbusds.jwt.JWTClaimsSet;
import io.tickwire.protocol.RoomName;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a token's claims into its room grants: the grants claim (a list of rooms or {@code kind:*}), and
 * templates over other claims, so an identity provider's existing tokens work unchanged:
 * {@code account:{sub}} grants {@code account:42} to {@code sub: "42"}, {@code account:{accounts}} one
 * room per element of the list claim {@code accounts}. A claim a template names may be absent (no
 * grant); a value that makes no valid room makes the token invalid.
 */
final class GrantRules {

    private record Template(String before, String claim, String after) {}

    private final String grantsClaim;
    private final List<Template> templates;

    GrantRules(String grantsClaim, List<String> templates) {
        this.grantsClaim = grantsClaim;
        this.templates = templates.stream().map(t -> {
            int open = t.indexOf('{');
            int close = t.indexOf('}', open);
            return new Template(t.substring(0, open), t.substring(open + 1, close), t.substring(close + 1));
        }).toList();
    }

    /** @throws IllegalArgumentException naming the claim or grant that is malformed */
    Grants grantsOf(JWTClaimsSet claims) {
        List<String> grants = new ArrayList<>(strings(claims, grantsClaim));
        for (Template t : templates) {
            for (String value : strings(claims, t.claim())) {
                String room = t.before() + value + t.after();
                if (!RoomName.isValid(room)) {
                    throw new IllegalArgumentException("claim " + t.claim() + " makes no valid room");
                }
                grants.add(room);
            }
        }
        return Grants.parse(grants);
    }

    /** A claim as strings: absent → none, a string or number → one, a list of them → each. */
    private static List<String> strings(JWTClaimsSet claims, String name) {
        Object value = claims.getClaim(name);
        if (value == null) {
            return List.of();
        }
        if (value instanceof String || value instanceof Number) {
            return List.of(value.toString());
        }
        if (value instanceof List<?> list) {
            List<String> out = new ArrayList<>(list.size());
            for (Object o : list) {
                if (!(o instanceof String || o instanceof Number)) {
                    throw new IllegalArgumentException("claim " + name + " must hold strings");
                }
                out.add(o.toString());
            }
            return out;
        }
        throw new IllegalArgumentException("claim " + name + " must be a string or a list of strings");
    }
}
