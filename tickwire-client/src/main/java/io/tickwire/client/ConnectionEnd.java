package io.tickwire.client;

/**
 * How one connection or attempt ended.
 *
 * @param closeCode the WebSocket close code received, or {@link #ABNORMAL} when the connection was lost
 *     or never opened without one
 * @param httpStatus the HTTP status of a refused upgrade, else 0
 * @param retryAfterMillis the refusal's {@code Retry-After}, else 0
 * @param reason a human-readable cause
 */
record ConnectionEnd(int closeCode, int httpStatus, long retryAfterMillis, String reason) {

    /** RFC 6455's code for "closed without a close frame" (never sent on the wire). */
    static final int ABNORMAL = 1006;

    static ConnectionEnd closed(int code, String reason) {
        return new ConnectionEnd(code, 0, 0, reason);
    }

    static ConnectionEnd lost(String reason) {
        return new ConnectionEnd(ABNORMAL, 0, 0, reason);
    }

    static ConnectionEnd refused(int httpStatus, long retryAfterMillis) {
        return new ConnectionEnd(ABNORMAL, httpStatus, retryAfterMillis, "upgrade refused with HTTP " + httpStatus);
    }

    /** The code to report: the HTTP status of a refusal, else the close code. */
    int reportedCode() {
        return httpStatus != 0 ? httpStatus : closeCode;
    }
}
