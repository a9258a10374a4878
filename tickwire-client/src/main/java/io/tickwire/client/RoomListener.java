package io.tickwire.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Receives one room's messages, on the client's callback thread (its event loop), in the room's order. Do
 * not block in these methods: the client reads nothing while a listener runs (a reader that stays too slow
 * is closed by the gateway with 4008 and resumes without loss, but late).
 */
@FunctionalInterface
public interface RoomListener {

    /** A published event, each reliable one exactly once and in {@code seq} order across reconnects. */
    void onEvent(String room, long seq, long ts, JsonNode data);

    /** The room's latest value (rooms that keep one, e.g. {@code price:*}), on subscribe and resume. */
    default void onSnapshot(String room, long seq, JsonNode data) {}

    /**
     * The gateway could not resume the room ({@code history_unavailable}, {@code epoch_changed}): events may
     * have been missed, so reconcile the room's state by other means. Live events from {@code seq} on follow.
     */
    default void onReset(String room, long seq, String epoch, String reason) {}

    /**
     * The gateway ended the subscription (e.g. {@code forbidden} after a token refresh, or an error when it
     * was re-established after a reconnect); no event of the room follows.
     */
    default void onUnsubscribed(String room, String reason) {}
}
