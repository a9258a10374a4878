package io.tickwire.protocol;

/** The WebSocket close codes of the contract (§6), the only place their numbers are written. */
public enum CloseCode {
    NORMAL(1000, "normal"),
    GOING_AWAY(1001, "server going away"),
    UNSUPPORTED_DATA(1003, "binary frames are not supported"),
    INVALID_PAYLOAD(1007, "invalid UTF-8"),
    MESSAGE_TOO_BIG(1009, "frame too large"),
    INTERNAL_ERROR(1011, "internal error"),
    SERVICE_RESTART(1012, "service restart"),
    TRY_AGAIN_LATER(1013, "try again later"),
    HEARTBEAT_TIMEOUT(4000, "heartbeat timeout"),
    UNAUTHORIZED(4001, "unauthorized"),
    FORBIDDEN(4003, "forbidden"),
    SLOW_CONSUMER(4008, "slow consumer"),
    RATE_LIMITED(4029, "rate limited");

    private final int code;
    private final String reason;

    CloseCode(int code, String reason) {
        this.code = code;
        this.reason = reason;
    }

    /** The numeric close code. */
    public int code() {
        return code;
    }

    /** A short default reason text. */
    public String reason() {
        return reason;
    }

    /** The close code with this number, or null. */
    public static CloseCode of(int code) {
        for (CloseCode c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        return null;
    }
}
