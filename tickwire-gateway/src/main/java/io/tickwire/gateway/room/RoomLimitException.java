package io.tickwire.gateway.room;

/** A new room would exceed its kind's {@code max-rooms}. */
public final class RoomLimitException extends Exception {
    public RoomLimitException(String message) {
        super(message, null, false, false);
    }
}
