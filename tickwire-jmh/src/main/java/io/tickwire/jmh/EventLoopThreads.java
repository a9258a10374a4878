package io.tickwire.jmh;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs JMH's benchmark threads as Netty {@link FastThreadLocalThread}s, as the gateway's event loops are.
 * It matters: Netty 4.2's {@code Recycler} pools objects (a pooled buffer's duplicates, the outbound
 * buffer's entries) only on such threads and allocates a fresh one per call on any other, so on a plain
 * JMH thread the allocation figures would not be the gateway's. Selected by every benchmark's {@code @Fork}
 * ({@code -Djmh.executor=CUSTOM}); {@link #check()} fails a run that lost that setting.
 */
public final class EventLoopThreads extends ThreadPoolExecutor {

    /** The property value that selects this executor. */
    static final String PROPERTY = "-Djmh.executor.class=io.tickwire.jmh.EventLoopThreads";

    /** The constructor JMH calls. */
    public EventLoopThreads(int maxThreads, String prefix) {
        super(maxThreads, maxThreads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                new DefaultThreadFactory(prefix));
    }

    /** Throws unless the calling (benchmark) thread is one the Recycler pools on. */
    static void check() {
        if (!FastThreadLocalThread.currentThreadWillCleanupFastThreadLocals()) {
            throw new IllegalStateException("benchmark thread " + Thread.currentThread().getName()
                    + " is not a FastThreadLocalThread: run with -Djmh.executor=CUSTOM " + PROPERTY);
        }
    }
}
