/**
 * Java client for the Tickwire WebSocket protocol, version 1.
 *
 * <p>{@link io.tickwire.client.TickwireClient} is the entry point: it connects to one of several gateways,
 * reconnects by the contract's close-code table, and resubscribes with {@code resume} so that a
 * {@link io.tickwire.client.RoomListener} sees every event of a reliable room once and in order, or is told
 * {@code reset} when that cannot be guaranteed. Public types are the API; package-private classes are the
 * implementation: {@code Connection} (one WebSocket attempt), {@code Subscriptions} (rooms on the wire),
 * {@code ReconnectPolicy} (close code to next step), {@code Backoff}, {@code RoomState} (position per room)
 * and {@code Messages} (the JSON codec).
 */
package io.tickwire.client;
