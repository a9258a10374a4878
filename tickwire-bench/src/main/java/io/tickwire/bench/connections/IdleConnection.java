package io.tickwire.bench.connections;

import io.netty.channel.Channel;
import io.tickwire.bench.client.RetryState;

/** One idle bench connection and what became of it. Written by its event loop; {@link #channel} read at the end. */
final class IdleConnection {

    final int index;
    final String token;
    /** The subscribe frame sent after {@code welcome}, or null for a connection that only connects. */
    final String subscribe;
    final RetryState retry = new RetryState();
    volatile Channel channel;
    boolean established;
    long firstAttemptNanos;
    int attempts;
    boolean subscribeRefused;
    volatile String failure;

    IdleConnection(int index, String token, String subscribe) {
        this.index = index;
        this.token = token;
        this.subscribe = subscribe;
    }
}
