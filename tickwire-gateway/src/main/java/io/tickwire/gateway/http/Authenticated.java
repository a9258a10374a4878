package io.tickwire.gateway.http;

/**
 * The user event an HTTP request fires down its connection's pipeline once its token is verified: the
 * connection is no longer an unknown client's, so the handshake deadline and the pending-connection limits
 * stop applying to it.
 */
public final class Authenticated {

    public static final Authenticated EVENT = new Authenticated();

    private Authenticated() {}
}
