package io.tickwire.client;

/** Told every {@link ConnectionState} change, on the client's callback thread, in order. */
@FunctionalInterface
public interface StateListener {
    void onStateChange(StateChange change);
}
