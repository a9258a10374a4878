package io.tickwire.bench.client;

/** One client's streak, as {@link RetryPolicy} needs it. Confined to the client's event loop. */
public final class RetryState {

    int failures; // consecutive attempts or connections ended without a welcome in between
    int slowConsumerCloses; // consecutive connections closed with 4008

    /** A connection reached {@code welcome}: the backoff starts over. */
    public void connected() {
        failures = 0;
    }

    public int failures() {
        return failures;
    }
}
