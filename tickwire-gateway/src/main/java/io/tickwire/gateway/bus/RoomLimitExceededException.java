package io.tickwire.gateway.bus;

/** Publishing would create a room beyond its kind's {@code max-rooms}. */
public class RoomLimitExceededException extends RuntimeException {
    public RoomLimitExceededException(String message) {
        super(message, null, false, false);
    }
}
