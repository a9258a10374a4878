package io.tickwire.client;

/**
 * The gateway's confirmation of a first subscription to a room.
 *
 * @param room the room name
 * @param mode {@code reliable} or {@code conflate}
 * @param seq the room's latest sequence number when subscribed (the position the client starts at)
 * @param epoch the history {@code seq} counts in
 */
public record Subscribed(String room, String mode, long seq, String epoch) {}
