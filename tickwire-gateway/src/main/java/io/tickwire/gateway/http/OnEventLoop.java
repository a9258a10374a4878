package io.tickwire.gateway.http;

import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.RejectedExecutionException;

/** Brings work back to a connection's event loop from another thread (a token verifier's, the bus's). */
public final class OnEventLoop {

    private OnEventLoop() {}

    /**
     * Runs {@code task} on {@code loop}: at once when called there (an answer that was ready, such as a token
     * verified a moment ago, does not wait behind the loop's queue), else queued; if the loop no longer takes
     * tasks (shutting down), runs {@code ifRejected} here instead, so that what the task would have released is
     * released.
     */
    public static void run(EventExecutor loop, Runnable task, Runnable ifRejected) {
        if (loop.inEventLoop()) {
            task.run();
            return;
        }
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            ifRejected.run();
        }
    }
}
