package io.tickwire.client;

/** Where a {@link TickwireClient} stands; reported to its {@link StateListener}. */
public enum ConnectionState {
    /** A connection attempt is under way (TCP, WebSocket upgrade, waiting for {@code welcome}). */
    CONNECTING,
    /** {@code welcome} received; subscriptions are (re)established on this connection. */
    CONNECTED,
    /** The last attempt or connection ended; the next attempt is scheduled ({@link StateChange#nextAttemptAt}). */
    RECONNECTING,
    /**
     * Stopped for good: {@link TickwireClient#close()} was called, or the gateway closed with 1000 or 4003. Also
     * the state of a client whose {@link TickwireClient#connect()} has not been called yet.
     */
    CLOSED
}
