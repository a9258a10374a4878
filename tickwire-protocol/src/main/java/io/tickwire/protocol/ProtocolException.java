package io.tickwire.protocol;

/**
 * A client frame that cannot be served as a whole: answered with an {@code error} carrying {@link #code()}
 * and, when the frame had one, its {@code id}.
 */
public final class ProtocolException extends Exception {

    private final ErrorCode code;
    private final String rawId;

    public ProtocolException(ErrorCode code, String message, String rawId) {
        super(message, null, false, false);
        this.code = code;
        this.rawId = rawId;
    }

    public ErrorCode code() {
        return code;
    }

    /** The operation's {@code id} as raw JSON ({@code 7} or {@code "a"}), or null. */
    public String rawId() {
        return rawId;
    }
}
