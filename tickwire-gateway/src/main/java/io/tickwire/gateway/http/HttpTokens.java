package io.tickwire.gateway.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;

/** Where a request carries its token (contract §1). The token itself is never logged. */
public final class HttpTokens {

    /** The subprotocol a client names next to its {@code bearer.} token, and the one the server answers. */
    public static final String SUBPROTOCOL = "tickwire.v1";
    private static final String BEARER_PROTOCOL = "bearer.";

    private HttpTokens() {}

    /** {@code Authorization: Bearer <jwt>}, or null. */
    public static String bearer(HttpRequest req) {
        String h = req.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (h != null && h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return h.substring(7).trim();
        }
        return null;
    }

    /** The {@code bearer.<jwt>} entry of {@code Sec-WebSocket-Protocol}, or null. */
    public static String subprotocol(HttpRequest req) {
        String h = req.headers().get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
        if (h == null) {
            return null;
        }
        for (String p : h.split(",")) {
            String t = p.trim();
            if (t.startsWith(BEARER_PROTOCOL)) {
                return t.substring(BEARER_PROTOCOL.length());
            }
        }
        return null;
    }

    /** Removes the {@code bearer.<jwt>} entry from {@code Sec-WebSocket-Protocol}, keeping the others. */
    public static void stripBearerSubprotocol(HttpRequest req) {
        String h = req.headers().get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
        if (h == null) {
            return;
        }
        StringBuilder kept = new StringBuilder();
        for (String p : h.split(",")) {
            String t = p.trim();
            if (!t.isEmpty() && !t.startsWith(BEARER_PROTOCOL)) {
                kept.append(kept.length() == 0 ? "" : ", ").append(t);
            }
        }
        if (kept.length() == 0) {
            req.headers().remove(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
        } else {
            req.headers().set(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, kept.toString());
        }
    }

    /** {@code ?token=<jwt>}, or null. */
    public static String query(HttpRequest req) {
        List<String> v = new QueryStringDecoder(req.uri()).parameters().get("token");
        return v == null || v.isEmpty() ? null : v.get(0);
    }
}
