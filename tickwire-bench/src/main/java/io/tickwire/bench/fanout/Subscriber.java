package io.tickwire.bench.fanout;

import io.netty.channel.Channel;
import io.tickwire.bench.support.CounterCheck;

/** One bench connection: its room, its check, and what became of it. Fields are written by its event loop. */
final class Subscriber {

    final int index;
    final int room;
    final String token;
    final CounterCheck check = new CounterCheck();
    volatile Channel channel;
    volatile boolean subscribed;
    volatile int attempts;
    volatile String failure;
    volatile int closeCode = -1;

    Subscriber(int index, int room, String token) {
        this.index = index;
        this.room = room;
        this.token = token;
    }
}
