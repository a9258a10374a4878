package io.tickwire.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.tickwire.gateway.testing.NettyWsClient;
import io.tickwire.gateway.testing.TestGateway;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hundreds of clients stop reading while events flow at a high rate (issue 4, "slow consumers, proven
 * bounded"): 100 stalled readers of a reliable room, 100 of a conflate room, and 20 readers that keep up, all
 * over 127.0.0.1 from this JVM, against a gateway configured small. While events flow, the gateway's pending
 * outbound bytes and the direct memory its allocator holds are sampled every {@value #SAMPLE_MS} ms.
 *
 * <h2>What is proven</h2>
 * <ul>
 * <li>Pending outbound bytes, summed over connections, never exceed {@code connections × (budget + F)} where
 * {@code F} is one largest frame ({@code rooms.max-event-bytes} + 1 KiB for the event envelope, the WebSocket
 * header, Netty's per-message accounting and a control frame). A tighter form holds too: a conflate connection
 * writes only while writable, so it holds at most {@code high-water + F}:
 * {@code reliable connections × (budget + F) + conflate connections × (high-water + F)}. And the stall is
 * real: the maximum observed is above half of {@code stalled reliable × budget + stalled conflate × high-water}
 * (each stalled reliable reader fills its budget, each conflate one its high water).</li>
 * <li>Direct memory held by the gateway's allocator ({@code ByteBufAllocator.DEFAULT}, the adaptive allocator in
 * Netty 4.2, whose metric is what {@code netty_allocator_memory_used{memory_type="direct"}} reports; the test's
 * clients allocate from an allocator of their own so they do not count) never exceeds
 * <pre>
 *   baseline                                  measured with every client connected and subscribed, before the flood
 *                                             (read buffers, allocator chunks and magazines already in use)
 * + connections × (budget + F)                every frame pending on a connection (an upper bound: subscribers share
 *                                             duplicates of one encoded frame, so it is counted at most once here)
 * + rooms × 2 MiB                             each room's ring and its kept history frames
 *                                              (Room.RING_MAX_BYTES + Room.HISTORY_FRAMES_MAX_BYTES)
 * + event loops × 16 MiB                      each loop's fan-out backlog (Fanout.MAX_QUEUED_BYTES)
 * + conflate subscriptions × F                the newest unsent state a conflate subscription holds back
 * </pre>
 * Every gateway buffer is in one of these places; the allocator reports whole chunks, so the bound assumes
 * fragmentation stays within the terms' slack (it is far loose in this topology: the terms assume no sharing).
 * A second, topology-aware check shows memory does not follow the volume: during the flood the growth above the
 * baseline stays below the bytes of all frames published. What the gateway must hold is the reliable ring (its last
 * 512 events) and the frames pending on stalled connections (a prefix of some 200 reliable events and a few
 * conflate ones, one shared copy each); even if every allocator chunk those pin stayed whole, with the conflate
 * events published in between, that is under half of the {@value #EVENTS} + {@value #CONFLATE_EVENTS} frames
 * published, while a gateway that kept, or leaked, what it publishes would hold at least all of them.</li>
 * <li>Readers that keep up get every event: in the reliable room each {@code n} exactly once, in order; in the
 * conflate room increasing {@code n} up to the last one.</li>
 * <li>Stalled reliable readers, once they read again ({@value #REOPEN_GROUP} at a time), get a gapless prefix of
 * the room and are closed with 4008: the server's count of 4008 closes grows by exactly their number. On the client
 * side a close frame queued behind unread data may be cut by the forced close a second later, so each accepts 4008
 * or a dropped connection, at least half must have received the 4008 frame itself (in practice all do), and the
 * count of each is printed. A resume from their last {@code seq} then replays the whole rest of the room, gapless,
 * without duplicates, in order, up to the last event published.</li>
 * <li>Stalled conflate readers, once they read again, get increasing states ending with the newest one,
 * having skipped intermediate ones, and stay connected.</li>
 * </ul>
 *
 * <h2>Configuration, and why</h2>
 * Budget 128 KiB, high/low water 32/16 KiB, SO_SNDBUF 8 KiB, events up to 16 KiB (payloads here ~1.5 KB),
 * {@value #EVENTS} events to the reliable room and four times as many to the conflate one (the volume, without
 * making the reliable resumes longer: each of them replays some 1,300 events re-encoded from the bus's history).
 * The reliable kind ({@code trades}) keeps {@value #HISTORY} events and no age limit: a stalled reader stops near
 * the start of the stream (after some 150 to 200 events: budget plus socket buffers), so when it reads again it is
 * more than half the history behind (early 4008, {@code Subscription.nearTheEndOfHistory}) while its position is
 * still stored, and its resume is complete rather than a {@code reset}. A history of at most 512 events would not
 * do: the room's ring then holds the whole history, a reader goes to the bus's history only once it is past the
 * ring, hence past the history too, and it ends with 4008 and a {@code reset}.
 * {@code outbound.max-unwritable-ms} is 120 s, above the whole test: the unwritable timer (covered by
 * UnwritableTimeoutTest) must not end the stalled readers here, so that the reliable ones are ended by the
 * history rule and the conflate ones stay to receive the newest state. Heartbeats every 60 s so that a stalled
 * reader is not ended for not answering pings. The publisher is paced by the readers that keep up (they may
 * lag at most {@value #MAX_LAG} events), which is what "readers that keep up" means.
 */
class StalledReadersTest {

    static final int BUDGET = 128 * 1024;
    static final int HIGH_WATER = 32 * 1024;
    static final int LOW_WATER = 16 * 1024;
    static final int SEND_BUFFER = 8 * 1024;
    static final int MAX_EVENT = 16 * 1024;
    /** One largest frame: the payload, the event envelope, the WebSocket header, Netty's per-message count. */
    static final long FRAME_MAX = MAX_EVENT + 1024;
    static final long RING_MAX = 2 * 1024 * 1024; // Room.RING_MAX_BYTES + Room.HISTORY_FRAMES_MAX_BYTES
    static final long FANOUT_BACKLOG_MAX = 16L * 1024 * 1024; // Fanout.MAX_QUEUED_BYTES, per event loop
    static final int HISTORY = 1500;
    /** Events published to the reliable room; the conflate room gets {@value #CONFLATE_PER_RELIABLE} times as many. */
    static final int EVENTS = 1500;
    static final int CONFLATE_PER_RELIABLE = 4;
    static final int CONFLATE_EVENTS = EVENTS * CONFLATE_PER_RELIABLE;
    /** Stalled reliable readers read again this many at a time, so each drains well within the forced close's second. */
    static final int REOPEN_GROUP = 25;
    static final int STALLED_RELIABLE = 100;
    static final int STALLED_CONFLATE = 100;
    static final int FAST_RELIABLE = 10;
    static final int FAST_CONFLATE = 10;
    static final int MAX_LAG = 200;
    static final int SAMPLE_MS = 50;
    static final String RELIABLE = "trades:STALL";
    static final String CONFLATE = "price:STALL";
    static final String PAD = "p".repeat(1500);

    static TestGateway gw;
    static EventLoopGroup clientLoops;
    /** The clients' own allocator: their buffers stay out of the gateway's allocator metric. */
    static final ByteBufAllocator CLIENT_ALLOC = new AdaptiveByteBufAllocator(true);

    @BeforeAll
    static void start() {
        gw = TestGateway.start(Map.ofEntries(
                Map.entry("TICKWIRE_OUTBOUND_BUDGET_BYTES", String.valueOf(BUDGET)),
                Map.entry("TICKWIRE_OUTBOUND_HIGH_WATER_BYTES", String.valueOf(HIGH_WATER)),
                Map.entry("TICKWIRE_OUTBOUND_LOW_WATER_BYTES", String.valueOf(LOW_WATER)),
                Map.entry("TICKWIRE_OUTBOUND_SOCKET_SEND_BUFFER_BYTES", String.valueOf(SEND_BUFFER)),
                Map.entry("TICKWIRE_OUTBOUND_MAX_UNWRITABLE_MS", "120000"),
                Map.entry("TICKWIRE_ROOMS_MAX_EVENT_BYTES", String.valueOf(MAX_EVENT)),
                Map.entry("TICKWIRE_ROOMS_KINDS_TRADES_HISTORY_EVENTS", String.valueOf(HISTORY)),
                Map.entry("TICKWIRE_ROOMS_KINDS_TRADES_HISTORY_SECONDS", "0"),
                Map.entry("TICKWIRE_WS_HEARTBEAT_MS", "60000")));
        clientLoops = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    }

    @AfterAll
    static void stop() {
        if (gw != null) {
            gw.close();
        }
        if (clientLoops != null) {
            clientLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10_000);
        }
    }

    @Test
    void hundredsOfStalledReadersStayWithinBudgetAndEachGetsWhatItsRoomPromises() throws Exception {
        long t0 = System.nanoTime();
        ByteBufAllocatorMetric allocator = ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric();
        List<NettyWsClient> all = new ArrayList<>();
        Sampler sampler = null;
        try {
            // --- everyone connects and subscribes; the stalled ones then stop reading
            List<Reader> stalledReliable = new ArrayList<>();
            List<Reader> stalledConflate = new ArrayList<>();
            List<Reader> fast = new ArrayList<>();
            String epoch = null;
            for (int i = 0; i < STALLED_RELIABLE + STALLED_CONFLATE + FAST_RELIABLE + FAST_CONFLATE; i++) {
                boolean reliable = i < STALLED_RELIABLE || (i >= STALLED_RELIABLE + STALLED_CONFLATE
                        && i < STALLED_RELIABLE + STALLED_CONFLATE + FAST_RELIABLE);
                NettyWsClient c = NettyWsClient.connect(gw.wsUri(), gw.token("reader-" + i), clientLoops, CLIENT_ALLOC);
                all.add(c);
                c.nextOfType("welcome");
                c.sendText("{\"op\":\"subscribe\",\"id\":1,\"rooms\":[\"" + (reliable ? RELIABLE : CONFLATE) + "\"]}");
                JsonNode subscribed = c.nextOfType("subscribed");
                if (reliable) {
                    epoch = subscribed.path("epoch").asText();
                }
                Reader r = new Reader(c, reliable, -1, 0);
                if (i < STALLED_RELIABLE) {
                    c.setAutoRead(false);
                    stalledReliable.add(r);
                } else if (i < STALLED_RELIABLE + STALLED_CONFLATE) {
                    c.setAutoRead(false);
                    stalledConflate.add(r);
                } else {
                    fast.add(r);
                }
            }
            int connections = all.size();
            int reliableConnections = STALLED_RELIABLE + FAST_RELIABLE;
            int conflateConnections = STALLED_CONFLATE + FAST_CONFLATE;
            long connectedMs = ms(t0);

            // --- baseline, the bounds, then the flood
            System.gc();
            Thread.sleep(300);
            long baselineDirect = allocator.usedDirectMemory();
            long baselinePending = gw.gateway().pendingOutboundBytes();
            long pendingBound = connections * (BUDGET + FRAME_MAX);
            long pendingBoundByKind = reliableConnections * (BUDGET + FRAME_MAX)
                    + conflateConnections * (HIGH_WATER + FRAME_MAX);
            long stallFloor = (STALLED_RELIABLE * (long) BUDGET + STALLED_CONFLATE * (long) HIGH_WATER) / 2;
            int loops = gw.gateway().eventLoops().length;
            long directBound = baselineDirect + pendingBound + 2 * RING_MAX + loops * FANOUT_BACKLOG_MAX
                    + conflateConnections * FRAME_MAX;
            double closed4008Before = closed4008();
            sampler = new Sampler(allocator);
            sampler.start();
            long floodStart = System.nanoTime();
            long framesPublished = 0;
            long lastReliableSeq = 0;
            for (int n = 0; n < EVENTS; n++) {
                lastReliableSeq = publish(RELIABLE, n);
                framesPublished += frameBytesEstimate(n);
                for (int k = 0; k < CONFLATE_PER_RELIABLE; k++) {
                    int cn = n * CONFLATE_PER_RELIABLE + k;
                    publish(CONFLATE, cn);
                    framesPublished += frameBytesEstimate(cn);
                }
                if (n % 50 == 49) {
                    awaitFast(fast, n - MAX_LAG);
                }
            }
            awaitAll(fast, r -> r.lastN == r.last(), 30_000, "the last event");
            long floodMs = ms(floodStart);
            Thread.sleep(300); // a few samples of the steady stall
            Sampler.Peak flood = sampler.peak();
            String scrapeAtStall = gw.get("/metrics").body();
            // the bounds while the readers are stalled (asserted again over the whole test at the end)
            assertThat(flood.pending).as("the stall happened: stalled readers filled their budget / high water")
                    .isGreaterThan(stallFloor);
            assertThat(flood.pending).as("pending bytes within budget × connections + one frame each")
                    .isLessThanOrEqualTo(pendingBound);
            assertThat(flood.pending).as("pending bytes within budget (reliable) / high water (conflate) + one frame")
                    .isLessThanOrEqualTo(pendingBoundByKind);
            assertThat(flood.direct).as("direct memory within the configured bound").isLessThanOrEqualTo(directBound);
            assertThat(flood.direct - baselineDirect).as("direct memory does not follow the volume published (%d B)",
                    framesPublished).isLessThan(framesPublished);

            for (Reader r : fast) {
                assertThat(r.lastN).as("a reader that keeps up got the last event").isEqualTo(r.last());
                if (r.reliable) {
                    assertThat(r.events).as("every event of the reliable room exactly once").isEqualTo(EVENTS);
                }
            }

            // --- stalled conflate readers read again: the newest state, having skipped some, and they stay
            for (Reader r : stalledConflate) {
                r.client.setAutoRead(true);
            }
            long conflateStart = System.nanoTime();
            awaitAll(stalledConflate, r -> r.lastN == CONFLATE_EVENTS - 1, 20_000, "the newest state");
            int maxConflated = 0;
            for (Reader r : stalledConflate) {
                assertThat(r.events).as("intermediate states were skipped").isLessThan(CONFLATE_EVENTS);
                assertThat(r.client.isClosed()).isFalse();
                maxConflated = Math.max(maxConflated, r.events);
            }
            long conflateMs = ms(conflateStart);

            // --- stalled reliable readers read again (a group at a time): a gapless prefix, then 4008
            long reliableStart = System.nanoTime();
            for (int from = 0; from < stalledReliable.size(); from += REOPEN_GROUP) {
                List<Reader> group = stalledReliable.subList(from, Math.min(from + REOPEN_GROUP, stalledReliable.size()));
                for (Reader r : group) {
                    r.client.setAutoRead(true);
                }
                awaitAll(group, r -> r.client.isClosed() && r.client.messages().isEmpty(), 20_000,
                        "read what was sent, then closed");
            }
            int saw4008 = 0;
            int dropped = 0;
            int minPrefix = Integer.MAX_VALUE;
            int maxPrefix = 0;
            for (Reader r : stalledReliable) {
                int code = r.client.awaitClose(java.time.Duration.ofSeconds(1));
                assertThat(code).as("closed with 4008, or cut by the forced close behind unread data").isIn(4008, -1);
                saw4008 += code == 4008 ? 1 : 0;
                dropped += code == -1 ? 1 : 0;
                assertThat(r.lastN).as("closed before it had everything").isLessThan(EVENTS - 1);
                minPrefix = Math.min(minPrefix, r.events);
                maxPrefix = Math.max(maxPrefix, r.events);
            }
            double closedWith4008 = awaitClosed4008(closed4008Before + STALLED_RELIABLE) - closed4008Before;
            assertThat(closedWith4008).as("the server closed exactly the stalled reliable readers with 4008")
                    .isEqualTo(STALLED_RELIABLE);
            assertThat(saw4008).as("most got the 4008 close frame itself (read again a few at a time)")
                    .isGreaterThanOrEqualTo(STALLED_RELIABLE / 2);
            long reliableMs = ms(reliableStart);

            // --- each resumes on a new connection and gets exactly the rest
            long resumeStart = System.nanoTime();
            List<NettyWsClient> again = new ArrayList<>();
            for (int i = 0; i < stalledReliable.size(); i++) {
                NettyWsClient c = NettyWsClient.connect(gw.wsUri(), gw.token("resume-" + i), clientLoops, CLIENT_ALLOC);
                all.add(c);
                again.add(c);
                c.nextOfType("welcome");
            }
            long resumeConnectMs = ms(resumeStart);
            List<Reader> resumed = new ArrayList<>();
            for (int i = 0; i < stalledReliable.size(); i++) {
                Reader old = stalledReliable.get(i);
                NettyWsClient c = again.get(i);
                c.sendText("{\"op\":\"subscribe\",\"id\":2,\"rooms\":[\"" + RELIABLE + "\"],\"resume\":{\"" + RELIABLE
                        + "\":{\"seq\":" + old.lastSeq + ",\"epoch\":\"" + epoch + "\"}}}");
                resumed.add(new Reader(c, true, old.lastN, old.lastSeq));
            }
            awaitAll(resumed, r -> r.lastN == EVENTS - 1, 40_000, "the rest of the room");
            long resumeMs = ms(resumeStart);
            for (Reader r : resumed) {
                assertThat(r.subscribedSeq).as("subscribed at the room's last seq").isEqualTo(lastReliableSeq);
                assertThat(r.lastSeq).isEqualTo(lastReliableSeq);
                assertThat(r.client.isClosed()).isFalse();
            }
            for (Reader r : fast) {
                r.poll();
                assertThat(r.client.isClosed()).as("a reader that keeps up stays").isFalse();
            }
            for (Reader r : stalledConflate) {
                r.poll();
                assertThat(r.client.isClosed()).as("a conflate reader that read again stays").isFalse();
            }
            sampler.stop();
            Sampler.Peak overall = sampler.peak();

            // --- the bounds over the whole test, drains and resumes included
            String scraped = allocatorScrape(scrapeAtStall);
            System.out.printf("StalledReadersTest: connections=%d (stalled reliable=%d conflate=%d, fast=%d)"
                            + " events reliable=%d conflate=%d frames_published=%d B samples=%d"
                            + " | pending: baseline=%d max=%d max_flood=%d stall_floor=%d bound_by_kind=%d bound=%d"
                            + " | direct: baseline=%d max=%d max_flood=%d flood_growth=%d bound=%d scraped_at_stall=[%s]"
                            + " | 4008: server=%.0f client_frames=%d dropped=%d prefix=%d..%d events"
                            + " | conflate stalled got at most %d states | ms: connect=%d flood=%d conflate=%d reliable=%d"
                            + " resume=%d (connect %d) total=%d%n",
                    connections, STALLED_RELIABLE, STALLED_CONFLATE, fast.size(), EVENTS, CONFLATE_EVENTS,
                    framesPublished, overall.samples, baselinePending, overall.pending, flood.pending, stallFloor,
                    pendingBoundByKind, pendingBound, baselineDirect, overall.direct, flood.direct,
                    flood.direct - baselineDirect, directBound, scraped, closedWith4008, saw4008, dropped, minPrefix,
                    maxPrefix, maxConflated, connectedMs, floodMs, conflateMs, reliableMs, resumeMs, resumeConnectMs, ms(t0));

            assertThat(overall.samples).as("sampled throughout").isGreaterThanOrEqualTo(10);
            assertThat(overall.pending).as("pending bytes within budget × connections + one frame each")
                    .isLessThanOrEqualTo(pendingBound);
            assertThat(overall.pending).as("pending bytes within budget (reliable) / high water (conflate) + one frame")
                    .isLessThanOrEqualTo(pendingBoundByKind);
            assertThat(overall.direct).as("direct memory within the configured bound").isLessThanOrEqualTo(directBound);
            assertThat(scraped).as("the allocator's direct memory is scraped as netty_allocator_memory_used").isNotEmpty();
            double scrapedDirect = Double.parseDouble(scraped.substring(scraped.lastIndexOf(' ') + 1));
            assertThat(scrapedDirect).as("scraped at the stall, within the bound").isPositive()
                    .isLessThanOrEqualTo(directBound);
        } finally {
            if (sampler != null) {
                sampler.stop();
            }
            for (NettyWsClient c : all) {
                c.close();
            }
        }
    }

    // ------------------------------------------------------------------------------------------------

    /** One client's view of its room, checked as messages arrive. */
    static final class Reader {
        final NettyWsClient client;
        final boolean reliable;
        int lastN;
        long lastSeq;
        long subscribedSeq = -1;
        int events;

        /** The last {@code n} of this reader's room. */
        int last() {
            return reliable ? EVENTS - 1 : CONFLATE_EVENTS - 1;
        }

        Reader(NettyWsClient client, boolean reliable, int lastN, long lastSeq) {
            this.client = client;
            this.reliable = reliable;
            this.lastN = lastN;
            this.lastSeq = lastSeq;
        }

        /** Takes whatever has arrived, asserting the room's guarantee on each event. */
        void poll() {
            JsonNode m;
            while ((m = client.messages().poll()) != null) {
                String type = m.path("type").asText();
                if ("subscribed".equals(type)) {
                    subscribedSeq = m.path("seq").asLong();
                    continue;
                }
                assertThat(type).as("only events expected, got %s", m).isEqualTo("event");
                int n = m.path("data").path("n").asInt();
                long seq = m.path("seq").asLong();
                if (reliable) {
                    assertThat(n).as("reliable: the next event, no gap, no duplicate").isEqualTo(lastN + 1);
                } else {
                    assertThat(n).as("conflate: order holds while skipping").isGreaterThan(lastN);
                }
                assertThat(seq).as("seq increases").isGreaterThan(lastSeq);
                lastN = n;
                lastSeq = seq;
                events++;
            }
        }
    }

    /** Samples pending outbound bytes and the allocator's direct memory on its own thread. */
    static final class Sampler {
        record Peak(long pending, long direct, int samples) {}

        private final ByteBufAllocatorMetric allocator;
        private final Thread thread;
        private volatile boolean running = true;
        private long maxPending;
        private long maxDirect;
        private int samples;

        Sampler(ByteBufAllocatorMetric allocator) {
            this.allocator = allocator;
            this.thread = new Thread(this::run, "stalled-readers-sampler");
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        private void run() {
            while (running) {
                long pending = gw.gateway().pendingOutboundBytes();
                long direct = allocator.usedDirectMemory();
                synchronized (this) {
                    maxPending = Math.max(maxPending, pending);
                    maxDirect = Math.max(maxDirect, direct);
                    samples++;
                }
                try {
                    Thread.sleep(SAMPLE_MS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        synchronized Peak peak() {
            return new Peak(maxPending, maxDirect, samples);
        }

        void stop() throws InterruptedException {
            running = false;
            thread.interrupt();
            thread.join(5_000);
        }
    }

    private static long publish(String room, int n) {
        byte[] data = ("{\"n\":" + n + ",\"pad\":\"" + PAD + "\"}").getBytes(StandardCharsets.UTF_8);
        return gw.gateway().bus().publish(room, data, null).toCompletableFuture().join().seq();
    }

    /** At least the bytes of an event's frame: its payload, plus 70 for the envelope and WebSocket header. */
    private static int frameBytesEstimate(int n) {
        return ("{\"n\":" + n + ",\"pad\":\"" + PAD + "\"}").length() + 70;
    }

    private static void awaitFast(List<Reader> fast, int atLeast) {
        awaitAll(fast, r -> r.lastN >= (r.reliable ? atLeast : Math.min(atLeast * CONFLATE_PER_RELIABLE, r.last())),
                30_000, "event " + atLeast);
    }

    private static void awaitAll(List<Reader> readers, java.util.function.Predicate<Reader> done, long timeoutMs,
                                 String what) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            boolean all = true;
            for (Reader r : readers) {
                r.poll();
                all &= done.test(r);
            }
            if (all) {
                return;
            }
            if (System.nanoTime() > deadline) {
                Reader late = readers.stream().filter(r -> !done.test(r)).findFirst().orElseThrow();
                throw new AssertionError("not every reader got " + what + " within " + timeoutMs + " ms: one is at n="
                        + late.lastN + " seq=" + late.lastSeq + " closed=" + late.client.isClosed());
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static double closed4008() {
        Matcher m = Pattern.compile("(?m)^tickwire_connections_closed_total\\{by=\"server\",code=\"4008\"} ([0-9.E+]+)$")
                .matcher(gw.get("/metrics").body());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static double awaitClosed4008(double atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (closed4008() < atLeast && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        Thread.sleep(200); // and no more than that
        return closed4008();
    }

    /** The scraped {@code netty_allocator_memory_used} direct line(s). */
    private static String allocatorScrape(String scrape) {
        Matcher m = Pattern.compile("(?m)^netty_allocator_memory_used\\{[^}]*memory_type=\"direct\"[^}]*} \\S+$")
                .matcher(scrape);
        List<String> lines = new ArrayList<>();
        while (m.find()) {
            lines.add(m.group());
        }
        return String.join("; ", lines);
    }

    private static long ms(long since) {
        return (System.nanoTime() - since) / 1_000_000;
    }
}
