package io.tickwire.jmh;

import io.netty.channel.embedded.EmbeddedChannel;
import io.tickwire.gateway.bus.BusEvent;
import io.tickwire.gateway.room.EncodedEvent;
import io.tickwire.gateway.room.FrameEncoder;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Netty's own cost of one write of a shared pre-encoded frame: a {@code retainedDuplicate()} of it through
 * a session-shaped pipeline ({@link Fixtures#sessionChannel()}) into the channel's outbound buffer, with a
 * flush every {@code flushEvery} writes; the transport's queue is drained (frames released) at each flush.
 * Everything but the send system call, to set beside the ~7 µs that call costs on this machine.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Djmh.executor=CUSTOM", EventLoopThreads.PROPERTY})
public class WritePathBench {

    /** Writes per flush: 1 is a connection that gets one event per batch, as in S1. */
    @Param({"1", "16"})
    int flushEvery;

    @Param({"default", "pooled"})
    String alloc;

    @Param({"100"})
    int payloadBytes;

    private EmbeddedChannel channel;
    private EncodedEvent frame;
    private int unflushed;

    @Setup(Level.Trial)
    public void setUp() {
        EventLoopThreads.check();
        channel = Fixtures.sessionChannel();
        frame = new FrameEncoder(Fixtures.allocator(alloc))
                .event(new BusEvent(Fixtures.ROOM, 1, "5f3a9c1e", 1_796_601_600_000L, Fixtures.payload(payloadBytes)));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        channel.flush(); // writes left unflushed would fail on close, and fail the trial
        Fixtures.drain(channel);
        channel.finishAndReleaseAll();
        frame.release();
    }

    /** One write of the shared frame's duplicate; every {@code flushEvery}-th also flushes and drains. */
    @Benchmark
    public void write() {
        channel.write(frame.frameForWrite(), channel.voidPromise());
        if (++unflushed == flushEvery) {
            unflushed = 0;
            channel.flush();
            Fixtures.drain(channel);
        }
    }
}
