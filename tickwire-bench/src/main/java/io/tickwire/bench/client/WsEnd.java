package io.tickwire.bench.client;

/**
 * How one bench connection or attempt ended, reported once by {@link WsClientHandler}.
 *
 * @param closeCode the WebSocket close code received, or {@link #ABNORMAL} when the connection was lost, cut,
 *     refused or never opened
 * @param httpStatus the HTTP status of a refused upgrade, else 0
 * @param retryAfterMillis the refusal's {@code Retry-After}, else 0
 * @param reason the close frame's reason, or a description of the loss
 */
public record WsEnd(int closeCode, int httpStatus, long retryAfterMillis, String reason) {

    /** RFC 6455's code for "closed without a close frame" (never sent on the wire). */
    public static final int ABNORMAL = 1006;

    public static WsEnd closed(int code, String reason) {
        return new WsEnd(code, 0, 0, reason);
    }

    public static WsEnd lost(String reason) {
        return new WsEnd(ABNORMAL, 0, 0, reason);
    }

    public static WsEnd refused(int httpStatus, long retryAfterMillis) {
        return new WsEnd(ABNORMAL, httpStatus, retryAfterMillis, "upgrade refused with HTTP " + httpStatus);
    }

    public boolean refused() {
        return httpStatus != 0;
    }
}
