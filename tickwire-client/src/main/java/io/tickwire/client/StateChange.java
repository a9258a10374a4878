package io.tickwire.client;

import java.net.URI;
import java.time.Instant;

/**
 * One transition of a client's {@link ConnectionState}.
 *
 * @param state the new state
 * @param url the gateway concerned: the one being tried, connected, or just lost; null if none
 * @param nextAttemptAt when the next attempt starts ({@link ConnectionState#RECONNECTING} only, else null)
 * @param closeCode the WebSocket close code or HTTP status that ended the previous connection or attempt,
 *     {@code 1006} when it was lost without one, 0 when not applicable
 * @param reason a short human-readable cause, never null
 */
public record StateChange(ConnectionState state, URI url, Instant nextAttemptAt, int closeCode, String reason) {}
