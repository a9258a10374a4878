package io.tickwire.gateway.bus;

/**
 * One stored event as the bus numbered it. {@code data} is the publisher's JSON, opaque to the bus and
 * never modified; callers must not mutate the array.
 */
public record BusEvent(String room, long seq, String epoch, long timestampMillis, byte[] data) {}
