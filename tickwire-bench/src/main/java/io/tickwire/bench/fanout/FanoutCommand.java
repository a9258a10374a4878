package io.tickwire.bench.fanout;

import io.tickwire.bench.support.BenchReport;
import io.tickwire.bench.support.BenchTokens;
import io.tickwire.bench.support.GatewayTarget;
import io.tickwire.bench.support.HttpPublisher;
import io.tickwire.bench.support.MeasureWindow;
import io.tickwire.bench.support.MicroClock;
import io.tickwire.bench.support.ProcessStats;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code fanout}: C WebSocket subscribers over R rooms (connection i in room i mod R), one publisher through
 * the HTTP publish API at a steady rate; reports offered and delivered deliveries per second, latency from
 * the publisher's clock to receipt, and what was missing, duplicated or out of order (by the publisher's
 * per-room counter), with the gateway's CPU and memory when its pid is given.
 */
@Command(name = "fanout", mixinStandardHelpOptions = true,
        description = "Fan-out: publish over HTTP at a steady rate, receive on many WebSocket connections.")
public final class FanoutCommand implements Callable<Integer> {

    @Mixin
    GatewayTarget target;

    @Option(names = "--connections", defaultValue = "100", description = "WebSocket connections (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--rooms", defaultValue = "10", description = "Rooms; connection i subscribes to room i mod R (default: ${DEFAULT-VALUE}).")
    int roomCount;

    @Option(names = "--kind", defaultValue = "trades", description = "Room kind: trades (reliable) or price (conflate) (default: ${DEFAULT-VALUE}).")
    String kind;

    @Option(names = "--rate", defaultValue = "1000", description = "Events per second published in total (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--payload", defaultValue = "100", description = "Approximate bytes of each event's data (default: ${DEFAULT-VALUE}).")
    int payload;

    @Option(names = "--duration", defaultValue = "20", description = "Measured seconds (default: ${DEFAULT-VALUE}).")
    int duration;

    @Option(names = "--warmup", defaultValue = "5", description = "Seconds published before measuring (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--connect-rate", defaultValue = "500", description = "New connections per second (default: ${DEFAULT-VALUE}).")
    double connectRate;

    @Option(names = "--source-ips", defaultValue = "8",
            description = "Spread connections over source addresses 127.0.0.1..127.0.0.N (loopback targets only; default: ${DEFAULT-VALUE}).")
    int sourceIps;

    @Option(names = "--threads", defaultValue = "0", description = "Event-loop threads of the subscribers; 0 = cores (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--transport", defaultValue = "auto",
            description = "The subscribers' transport: auto (epoll where available), epoll, io_uring or nio (default: ${DEFAULT-VALUE}).")
    String transport;

    @Option(names = "--gateway-pid", description = "The gateway's pid: report its CPU seconds over the window and its peak RSS.")
    Long gatewayPid;

    @Override
    public Integer call() throws Exception {
        String secret = target.secret();
        if (secret == null || connections < 1 || roomCount < 1 || rate <= 0 || duration < 1 || warmup < 0) {
            System.err.println("fanout: --secret (or TICKWIRE_AUTH_HMAC_SECRET), --connections >= 1, --rooms >= 1,"
                    + " --rate > 0, --duration >= 1 and --warmup >= 0 are required");
            return 2;
        }
        boolean conflate = kind.equals("price") || kind.equals("book");
        String[] rooms = new String[roomCount];
        for (int r = 0; r < roomCount; r++) {
            rooms[r] = kind + ":B" + r;
        }
        long runMillis = (warmup + duration + 600L) * 1000;
        BenchTokens tokens = new BenchTokens(secret, runMillis + connections * 1000L / (long) Math.max(1, connectRate));
        List<Subscriber> subscribers = new ArrayList<>(connections);
        int[] perRoom = new int[roomCount];
        for (int i = 0; i < connections; i++) {
            subscribers.add(new Subscriber(i, i % roomCount, tokens.subscriber(i)));
            perRoom[i % roomCount]++;
        }
        MeasureWindow window = new MeasureWindow();
        SubscriberPool pool = new SubscriberPool(target.url, subscribers, rooms, Math.max(0, sourceIps),
                threads > 0 ? threads : Runtime.getRuntime().availableProcessors(),
                io.tickwire.bench.support.NettyTransport.named(transport), window);
        ProcessStats gateway = gatewayPid == null ? null : new ProcessStats(gatewayPid);

        System.err.printf("connecting %d subscribers at %.0f/s over %d source addresses (%s)%n",
                connections, connectRate, sourceIps, pool.transport());
        long connectStart = System.nanoTime();
        pool.connectAll(connectRate);
        if (!pool.awaitSubscribed(30 + (long) (connections / connectRate))) {
            System.err.printf("fanout: only %d of %d subscribed (refusals %d, connect failures %d); example: %s%n",
                    pool.subscribedCount(), connections, pool.refusals.get(), pool.connectFailures.get(),
                    subscribers.stream().filter(s -> !s.subscribed).findFirst().map(s -> s.failure).orElse("?"));
            pool.close();
            return 1;
        }
        double connectSeconds = (System.nanoTime() - connectStart) / 1e9;
        System.err.printf("all subscribed in %.1f s; publishing %.0f events/s for %d s warm-up + %d s%n",
                connectSeconds, rate, warmup, duration);

        HttpPublisher publisher = new HttpPublisher(target.url, tokens.publisher(), rooms, rate, payload, window);
        long startMicros = MicroClock.nowMicros();
        window.set(startMicros + warmup * 1_000_000L, startMicros + (warmup + duration) * 1_000_000L);

        // samples at the window's edges, and the gateway's RSS through it
        double[] gatewayCpu = new double[2];
        long[] benchCpu = new long[2];
        AtomicLong peakSampledRssKb = new AtomicLong(-1);
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        sampler.schedule(() -> {
            gatewayCpu[0] = gatewayCpu(gateway);
            benchCpu[0] = ProcessStats.ownCpuNanos();
        }, warmup * 1000L, TimeUnit.MILLISECONDS);
        sampler.scheduleAtFixedRate(() -> {
            if (gateway != null) {
                try {
                    peakSampledRssKb.accumulateAndGet(gateway.statusKb("VmRSS"), Math::max);
                } catch (Exception ignored) {
                    // the gateway went away: its absence shows in the other figures
                }
            }
        }, warmup * 1000L, 250, TimeUnit.MILLISECONDS);
        publisher.run((warmup + duration) * 1_000_000_000L);
        sampler.shutdownNow();
        sampler.awaitTermination(5, TimeUnit.SECONDS);
        gatewayCpu[1] = gatewayCpu(gateway);
        benchCpu[1] = ProcessStats.ownCpuNanos();
        long hwmKb = -1;
        if (gateway != null) {
            hwmKb = gateway.statusKb("VmHWM");
        }

        // let the last events arrive: every subscriber has its room's last counter, or 10 s passed
        long drainStart = System.nanoTime();
        while (System.nanoTime() - drainStart < 10_000_000_000L) {
            boolean done = true;
            for (Subscriber s : subscribers) {
                if (s.check.last() < publisher.published()[s.room]) {
                    done = false;
                    break;
                }
            }
            if (done) {
                break;
            }
            Thread.sleep(20);
        }
        double drainSeconds = (System.nanoTime() - drainStart) / 1e9;
        pool.close();

        Histogram latency = new Histogram(600_000_000L, 3);
        long delivered = 0;
        for (LoopStats stats : pool.loopStats()) {
            latency.add(stats.latencyMicros);
            delivered += stats.deliveredInWindow;
        }
        long offered = 0;
        long publishedTotal = 0;
        for (int r = 0; r < roomCount; r++) {
            offered += publisher.publishedInWindow()[r] * perRoom[r];
            publishedTotal += publisher.published()[r];
        }
        long expected = 0;
        long received = 0;
        long missing = 0;
        long duplicated = 0;
        long reordered = 0;
        for (Subscriber s : subscribers) {
            long p = publisher.published()[s.room];
            expected += p;
            received += s.check.received();
            duplicated += s.check.duplicated();
            reordered += s.check.reordered();
            if (!conflate) {
                missing += s.check.missing(p);
            }
        }

        BenchReport report = new BenchReport();
        report.put("kind", kind);
        report.put("delivery", conflate ? "conflate" : "reliable");
        report.put("connections", connections);
        report.put("rooms", roomCount);
        report.put("rate_events_per_s", rate);
        report.put("payload_bytes", payload);
        report.put("warmup_s", warmup);
        report.put("duration_s", duration);
        report.put("connect_s", BenchReport.round(connectSeconds, 2));
        report.put("handshake_refusals", pool.refusals.get());
        report.put("events_published", publishedTotal);
        report.put("publish_posts", publisher.posts());
        report.put("publish_failed_posts", publisher.failedPosts());
        report.put("publish_largest_batch", publisher.largestBatch());
        report.put("publish_post_p50_ms", BenchReport.round(publisher.postMicros().getValueAtPercentile(50) / 1000.0, 3));
        report.put("publish_post_max_ms", BenchReport.round(publisher.postMicros().getMaxValue() / 1000.0, 3));
        report.put("offered_deliveries_per_s", BenchReport.round(offered / (double) duration, 1));
        report.put("delivered_deliveries_per_s", BenchReport.round(delivered / (double) duration, 1));
        report.putLatency(latency);
        report.put("deliveries_expected", expected);
        report.put("deliveries_received", received);
        report.put("missing", conflate ? null : missing);
        report.put("conflated", conflate ? expected - received : null);
        report.put("duplicated", duplicated);
        report.put("reordered", reordered);
        report.put("unexpected_closes", pool.unexpectedCloses.get());
        report.put("drain_s", BenchReport.round(drainSeconds, 2));
        if (gateway != null) {
            double cpu = gatewayCpu[1] - gatewayCpu[0];
            report.put("gateway_cpu_s", BenchReport.round(cpu, 2));
            report.put("gateway_cpu_s_per_million_deliveries",
                    delivered == 0 ? null : BenchReport.round(cpu / (delivered / 1e6), 3));
            report.put("gateway_peak_rss_mib", BenchReport.round(hwmKb / 1024.0, 1));
            report.put("gateway_max_sampled_rss_mib", BenchReport.round(peakSampledRssKb.get() / 1024.0, 1));
        }
        report.put("bench_cpu_s", BenchReport.round((benchCpu[1] - benchCpu[0]) / 1e9, 2));
        System.out.print(report.table());
        System.out.println(report.jsonLine());
        boolean clean = (conflate || missing == 0) && duplicated == 0 && reordered == 0 && pool.unexpectedCloses.get() == 0;
        return clean ? 0 : 1;
    }

    private static double gatewayCpu(ProcessStats gateway) {
        if (gateway == null) {
            return 0;
        }
        try {
            return gateway.cpuSeconds();
        } catch (Exception e) {
            return Double.NaN;
        }
    }
}
