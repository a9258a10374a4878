package io.tickwire.client;

/** Where the client puts its token during the WebSocket upgrade. Never in the URL. */
public enum TokenPlacement {
    /** {@code Sec-WebSocket-Protocol: tickwire.v1, bearer.<jwt>} (the default; works through any proxy that passes WebSockets). */
    SUBPROTOCOL,
    /** {@code Authorization: Bearer <jwt>}. */
    AUTHORIZATION_HEADER
}
