package io.tickwire.gateway.cluster;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** {@link Coordinator#none()}: no farm. {@link #nodes()} is empty; the caller lists this node itself. */
enum NoCoordinator implements Coordinator {
    INSTANCE;

    @Override
    public void start() {}

    @Override
    public State state() {
        return State.OFF;
    }

    @Override
    public CompletionStage<List<NodeStatus>> nodes() {
        return CompletableFuture.completedFuture(List.of());
    }

    @Override
    public CompletionStage<Boolean> share(FarmRevocation revocation) {
        return CompletableFuture.completedFuture(false);
    }

    @Override
    public void connectionOpened(String user) {}

    @Override
    public void connectionClosed(String user) {}

    @Override
    public CompletionStage<Integer> connectionsElsewhere(String user) {
        return CompletableFuture.completedFuture(0);
    }

    @Override
    public void close() {}
}
