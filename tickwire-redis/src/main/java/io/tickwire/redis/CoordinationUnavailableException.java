package io.tickwire.redis;

/** Redis could not answer (not connected, failed or too slow): what a coordinator's stage fails with. */
public final class CoordinationUnavailableException extends Exception {

    public CoordinationUnavailableException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
