package io.tickwire.gateway.transport;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/** Numbers the worker event loops 0..n-1, so rooms can group their subscribers per loop in an array. */
public final class LoopIndex {

    private final EventLoop[] loops;
    private final Map<EventLoop, Integer> index = new IdentityHashMap<>();

    public LoopIndex(EventLoopGroup group) {
        List<EventLoop> list = new ArrayList<>();
        for (EventExecutor e : group) {
            list.add((EventLoop) e);
        }
        this.loops = list.toArray(new EventLoop[0]);
        for (int i = 0; i < loops.length; i++) {
            index.put(loops[i], i);
        }
    }

    public EventLoop[] loops() {
        return loops.clone();
    }

    public int size() {
        return loops.length;
    }

    int of(EventLoop loop) {
        return index.get(loop);
    }
}
