package io.tickwire.gateway.session;

import io.netty.channel.Channel;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayList;

/**
 * Flushes each written channel of an event loop once per batch of work instead of once per write: the
 * first write of a batch schedules one flush task behind the tasks already queued, so the events that
 * arrived together leave in one system call per channel.
 */
final class LoopFlusher implements Runnable {

    private static final FastThreadLocal<LoopFlusher> CURRENT = new FastThreadLocal<>() {
        @Override
        protected LoopFlusher initialValue() {
            return new LoopFlusher();
        }
    };

    private ArrayList<Session> dirty = new ArrayList<>();
    private ArrayList<Session> spare = new ArrayList<>();
    private boolean scheduled;

    /** The flusher of the calling event loop. */
    static LoopFlusher current() {
        return CURRENT.get();
    }

    void add(Session session, Channel channel) {
        dirty.add(session);
        if (!scheduled) {
            scheduled = true;
            channel.eventLoop().execute(this);
        }
    }

    @Override
    public void run() {
        scheduled = false;
        ArrayList<Session> batch = dirty;
        dirty = spare;
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).flushNow();
        }
        batch.clear();
        spare = batch;
    }
}
