package io.tickwire.jmh;

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
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link FrameEncoder#event}: a bus event's {@code event} message written into the encoder's JSON buffer
 * and copied into one direct buffer behind its WebSocket header, then released. Once per event per node,
 * whatever the number of subscribers.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Djmh.executor=CUSTOM", EventLoopThreads.PROPERTY})
public class FrameEncoderBench {

    /** Size of the publisher's {@code data}. */
    @Param({"100", "1000"})
    int payloadBytes;

    @Param({"default", "pooled"})
    String alloc;

    private FrameEncoder encoder;
    private BusEvent event;

    @Setup(Level.Trial)
    public void setUp() {
        EventLoopThreads.check();
        encoder = new FrameEncoder(Fixtures.allocator(alloc));
        event = new BusEvent(Fixtures.ROOM, 1_234_567, "5f3a9c1e", 1_796_601_600_000L, Fixtures.payload(payloadBytes));
    }

    /** One event encoded into a frame and released; returns the frame's size. */
    @Benchmark
    public int encode() {
        EncodedEvent e = encoder.event(event);
        int size = e.frameBytes();
        e.release();
        return size;
    }
}
