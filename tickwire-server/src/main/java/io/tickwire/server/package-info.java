/**
 * The Tickwire product assembly. This module has no code of its own: it puts the gateway
 * ({@code tickwire-gateway}), the NATS JetStream event bus ({@code tickwire-nats}) and the Redis coordination
 * ({@code tickwire-redis}) on one class path, where the gateway finds the bus and the coordinator through
 * {@link java.util.ServiceLoader}, and its {@code package} phase shades them into the runnable
 * {@code target/tickwire.jar} ({@code java -jar tickwire.jar serve}). Its tests run a farm of gateway nodes as
 * separate processes against real {@code nats-server} and {@code redis-server} processes.
 */
package io.tickwire.server;
