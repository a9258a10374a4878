package io.tickwire.jmh;

import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.tickwire.gateway.bus.BusEvent;
import io.tickwire.gateway.bus.InMemoryEventBus;
import io.tickwire.gateway.config.GatewayConfig;
import io.tickwire.gateway.fanout.Fanout;
import io.tickwire.gateway.metrics.GatewayMetrics;
import io.tickwire.gateway.room.Room;
import io.tickwire.gateway.room.RoomRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * One event's fan-out to N live subscribers on one event loop, through the gateway's own
 * {@link Fanout#onEvent} (encode once, append to the room's ring, one {@code Delivery} task per loop, the
 * loop over the room's {@code LoopSubscribers}), without sockets.
 *
 * <p>The loop is an {@link EmbeddedChannel}'s event loop, driven by the benchmark thread: {@code Fanout}
 * queues its delivery task there and the benchmark runs it right away, so what is measured is the work
 * of fan-out and delivery, not a hand-off between threads (which a real loop would add once per event
 * per loop, not per subscriber). Subscribers are {@link LiveSubscriber}s: {@code sink=release} takes each
 * frame duplicate and releases it; {@code sink=channel} writes it to the subscriber's own session-shaped
 * {@link EmbeddedChannel} and flushes each channel once per event (the {@code LoopFlusher}'s batch), then
 * drains it. The secondary result {@code deliveries} is the time per subscriber delivery.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Djmh.executor=CUSTOM", EventLoopThreads.PROPERTY})
public class FanoutBench {

    static final GatewayConfig.Kind TRADES = new GatewayConfig.Kind("trades", GatewayConfig.Access.AUTHENTICATED,
            GatewayConfig.Delivery.RELIABLE, 10_000, 0, 1000, 300);
    static final int BUDGET_BYTES = 1024 * 1024; // outbound.budget-bytes default

    @Param({"100", "1000"})
    int subscribers;

    @Param({"release", "channel"})
    String sink;

    @Param({"default", "pooled"})
    String alloc;

    @Param({"100"})
    int payloadBytes;

    private InMemoryEventBus bus;
    private RoomRegistry registry;
    private GatewayMetrics metrics;
    private Fanout fanout;
    private EmbeddedChannel loop;
    private final List<EmbeddedChannel> channels = new ArrayList<>();
    private final ArrayList<LiveSubscriber> flushBatch = new ArrayList<>();
    private String epoch;
    private byte[] data;
    private long seq;

    /** Deliveries made: JMH reports the benchmark's time per delivery under this name. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Deliveries {
        public long deliveries;

        @Setup(Level.Iteration)
        public void reset() {
            deliveries = 0;
        }
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        EventLoopThreads.check();
        Map<String, GatewayConfig.Kind> kinds = Map.of(TRADES.name(), TRADES);
        bus = new InMemoryEventBus(kinds, new GatewayConfig.Bus("memory", 120, 1000));
        registry = new RoomRegistry(kinds, bus, 1, Fixtures.allocator(alloc), System::currentTimeMillis);
        metrics = new GatewayMetrics(kinds.keySet(), 1, registry::size, () -> 0, () -> 0);
        loop = new EmbeddedChannel();
        fanout = new Fanout(registry, new EventLoop[] {loop.eventLoop()}, metrics, System::currentTimeMillis);
        Room room = registry.acquire(Fixtures.ROOM);
        room.whenWarm().get(10, TimeUnit.SECONDS);
        Room.Position pos = room.position();
        epoch = pos.epoch();
        seq = pos.seq();
        if (pos.latest() != null) {
            pos.latest().release();
        }
        for (int i = 0; i < subscribers; i++) {
            EmbeddedChannel ch = null;
            if (sink.equals("channel")) {
                ch = Fixtures.sessionChannel();
                channels.add(ch);
            } else if (!sink.equals("release")) {
                throw new IllegalArgumentException("sink: expected release or channel, got " + sink);
            }
            room.addSubscriber(0, new LiveSubscriber(epoch, ch, metrics.loop(0), flushBatch, BUDGET_BYTES));
        }
        data = Fixtures.payload(payloadBytes);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        registry.clear();
        bus.close();
        metrics.close();
        loop.finishAndReleaseAll();
        for (EmbeddedChannel ch : channels) {
            ch.finishAndReleaseAll();
        }
    }

    /** One event from the bus to every subscriber; the time per event, and per delivery ({@code deliveries}). */
    @Benchmark
    public void event(Deliveries d) {
        fanout.onEvent(new BusEvent(Fixtures.ROOM, ++seq, epoch, System.currentTimeMillis(), data));
        loop.runPendingTasks(); // the Delivery task: onLive for each subscriber
        loop.checkException();
        for (int i = 0; i < flushBatch.size(); i++) { // the LoopFlusher's task
            flushBatch.get(i).flushNow();
        }
        flushBatch.clear();
        for (int i = 0; i < channels.size(); i++) {
            Fixtures.drain(channels.get(i));
        }
        d.deliveries += subscribers;
    }
}
