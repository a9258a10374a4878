package io.tickwire.bench.storm;

import io.tickwire.bench.client.Backoff;
import io.tickwire.bench.client.RetryPolicy;
import io.tickwire.bench.client.WsDialer;
import io.tickwire.bench.gateway.AdmissionSettings;
import io.tickwire.bench.gateway.GatewayProbe;
import io.tickwire.bench.gateway.PrometheusText;
import io.tickwire.bench.support.BenchReport;
import io.tickwire.bench.support.BenchTokens;
import io.tickwire.bench.support.GatewayTarget;
import io.tickwire.bench.support.HttpPublisher;
import io.tickwire.bench.support.MeasureWindow;
import io.tickwire.bench.support.OpenFiles;
import io.tickwire.bench.support.ProcessStats;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code storm}: N clients in reliable rooms, a publisher numbering each room's events; after a warm-up every
 * connection is cut at once with a TCP reset, every client reconnects (full-jitter backoff, the gateway's
 * refusals honoured) and resumes its room. Reports how long until every client was resumed, the refusals, and
 * the events lost or doubled per client by the publisher's counter.
 */
@Command(name = "storm", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Reconnection storm: N clients subscribed to reliable rooms (client i in room i mod R) while a publisher"
                    + " publishes a per-room counter over HTTP; after --warmup every connection is cut at once with a TCP"
                    + " reset (SO_LINGER 0, then close: no WebSocket close, as when a network path fails), and every client"
                    + " reconnects with full-jitter exponential backoff (the Java client library's: --backoff-*),"
                    + " retrying 429/503 after Retry-After and 1013 after the delay in its reason, and subscribes with"
                    + " resume {seq, epoch}. Publishing goes on through the storm and --after seconds past the last resume.",
            "Reports the time from the cut until each client was resumed (subscribed with resume and caught up to the"
                    + " room's seq at that moment: p50/p99/max and the last one), the refusals by status, resets, and the"
                    + " events lost or doubled per client (must be 0)."},
        footer = {"",
            "Admission: the gateway admits server.handshakes-per-second (default 2000, burst 2000) and per address"
                    + " server.address-handshakes-per-second (100, burst 500); the clients are spread over --source-ips"
                    + " addresses so the node's rate, not one address's, is what the storm meets. The settings are named"
                    + " in the report (from --gateway-log, else the gateway's environment with --gateway-pid)."})
public final class StormCommand implements Callable<Integer> {

    @Mixin
    GatewayTarget target;

    @Option(names = "--clients", defaultValue = "1000", description = "Clients, one connection and one user each (default: ${DEFAULT-VALUE}).")
    int clientCount;

    @Option(names = "--rooms", defaultValue = "100", description = "Rooms; client i in room i mod R (default: ${DEFAULT-VALUE}).")
    int roomCount;

    @Option(names = "--kind", defaultValue = "trades",
            description = "A reliable room kind: trades, or account/orders (granted in each client's token) (default: ${DEFAULT-VALUE}).")
    String kind;

    @Option(names = "--rate", defaultValue = "100", description = "Events per second published in total (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--payload", defaultValue = "100", description = "Approximate bytes of each event's data (default: ${DEFAULT-VALUE}).")
    int payload;

    @Option(names = "--connect-rate", defaultValue = "1000", description = "New connections per second before the storm (default: ${DEFAULT-VALUE}).")
    double connectRate;

    @Option(names = "--source-ips", defaultValue = "64",
            description = "Spread clients over source addresses 127.0.0.1..127.0.0.N (loopback targets only; 0 = no binding; default: ${DEFAULT-VALUE}).")
    int sourceIps;

    @Option(names = "--warmup", defaultValue = "5", description = "Seconds published before the cut (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--after", defaultValue = "5", description = "Seconds published after the last client resumed (default: ${DEFAULT-VALUE}).")
    int after;

    @Option(names = "--resume-timeout", defaultValue = "60", description = "Longest wait for every client to resume, in seconds (default: ${DEFAULT-VALUE}).")
    int resumeTimeout;

    @Option(names = "--target", defaultValue = "10", description = "Seconds within which every client should have resumed (default: ${DEFAULT-VALUE}).")
    double targetSeconds;

    @Option(names = "--backoff-min-ms", defaultValue = "" + Backoff.DEFAULT_MIN_MILLIS, description = "Backoff minimum (default: ${DEFAULT-VALUE}).")
    long backoffMin;

    @Option(names = "--backoff-max-ms", defaultValue = "" + Backoff.DEFAULT_MAX_MILLIS, description = "Backoff maximum (default: ${DEFAULT-VALUE}).")
    long backoffMax;

    @Option(names = "--backoff-multiplier", defaultValue = "" + Backoff.DEFAULT_MULTIPLIER, description = "Backoff multiplier (default: ${DEFAULT-VALUE}).")
    double backoffMultiplier;

    @Option(names = "--threads", defaultValue = "0", description = "Event-loop threads of the clients; 0 = cores (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--gateway-pid", description = "The gateway's pid: its CPU during the storm and its peak RSS"
            + " (with --kill-pid: a surviving node's).")
    Long gatewayPid;

    @Option(names = "--kill-pid", description = "A farm's storm: instead of cutting the connections, kill (SIGKILL) this"
            + " process, the gateway at --url; the clients move to the --failover-url nodes, and publishing and the"
            + " metrics go through the first of them.")
    Long killPid;

    @Option(names = "--failover-url", description = "Another node of the farm (repeat for each), for --kill-pid.")
    List<URI> failoverUrls = new ArrayList<>();

    @Option(names = "--gateway-log", description = "The gateway's log, to report its admission settings (else read from its environment with --gateway-pid).")
    Path gatewayLog;

    @Override
    public Integer call() throws Exception {
        String secret = target.secret();
        String problem = problem();
        if (problem != null) {
            System.err.println("storm: " + problem);
            return 2;
        }
        String noRoom = OpenFiles.checkRoomFor(clientCount);
        if (noRoom != null) {
            System.err.println("storm: " + noRoom);
            return 2;
        }
        WsDialer dialer;
        RetryPolicy policy;
        try {
            policy = new RetryPolicy(new Backoff(backoffMin, backoffMax, backoffMultiplier));
            List<URI> nodes = new ArrayList<>();
            nodes.add(target.url);
            nodes.addAll(failoverUrls);
            dialer = new WsDialer(nodes, threads > 0 ? threads : Runtime.getRuntime().availableProcessors(), sourceIps);
        } catch (IllegalArgumentException e) {
            System.err.println("storm: " + e.getMessage());
            return 2;
        }
        // rooms of this run only, so that counters and seqs start together whatever ran on the gateway before
        String runTag = Long.toString(System.currentTimeMillis(), 36);
        String[] rooms = new String[roomCount];
        for (int r = 0; r < roomCount; r++) {
            rooms[r] = kind + ":S" + runTag + "." + r;
        }
        boolean granted = kind.equals("account") || kind.equals("orders");
        BenchTokens tokens = new BenchTokens(secret, 3_600_000L + (long) (clientCount / connectRate * 1000)
                + (warmup + after + resumeTimeout) * 1000L);
        List<StormClient> all = new ArrayList<>(clientCount);
        for (int i = 0; i < clientCount; i++) {
            String room = rooms[i % roomCount];
            all.add(new StormClient(i, i % roomCount, room, tokens.client("storm-" + i, granted ? List.of(room) : List.of())));
        }
        StormClients clients = new StormClients(dialer, policy, all);
        URI serving = killPid == null ? target.url : failoverUrls.get(0); // publishing and metrics survive the kill
        GatewayProbe probe = new GatewayProbe(serving, null);
        ProcessStats gateway = gatewayPid == null ? null : new ProcessStats(gatewayPid);

        System.err.printf("storm: connecting %d clients at %.0f/s over %d source addresses (%s), %d %s rooms%n",
                clientCount, connectRate, dialer.sourceIps(), dialer.transport(), roomCount, kind);
        long t0 = System.nanoTime();
        clients.open(connectRate);
        if (!clients.awaitSubscribed((long) ((60 + 3 * clientCount / connectRate) * 1e9))) {
            System.err.printf("storm: only %d of %d subscribed (refused %s, connect failures %d); %s%n", clients.subscribed(),
                    clientCount, StormClients.counts(clients.refusedBeforeCut), clients.connectFailures.get(),
                    clients.exampleFailure());
            clients.close();
            return 1;
        }
        double connectSeconds = (System.nanoTime() - t0) / 1e9;

        MeasureWindow everything = new MeasureWindow();
        everything.set(0, Long.MAX_VALUE);
        HttpPublisher publisher = new HttpPublisher(serving, tokens.publisher(), rooms, rate, payload, everything, "storm-" + runTag);
        Thread publishing = new Thread(() -> {
            try {
                publisher.run(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "storm-publisher");
        System.err.printf("storm: all subscribed in %.1f s; publishing %.0f events/s, cut after %d s%n", connectSeconds, rate, warmup);
        publishing.start();
        Thread.sleep(warmup * 1000L);

        PrometheusText before = metricsOrNull(probe);
        double cpuBefore = cpu(gateway);
        long benchCpuBefore = ProcessStats.ownCpuNanos();
        long cutNanos = killPid == null ? clients.cut() : clients.kill(killPid);
        boolean allResumed = clients.awaitResumed(resumeTimeout * 1_000_000_000L);
        long stormEnd = System.nanoTime();
        double cpuStorm = cpu(gateway) - cpuBefore;
        long benchCpuStorm = ProcessStats.ownCpuNanos() - benchCpuBefore;
        System.err.printf("storm: %d connections cut in %.0f ms; %d of %d resumed after %.2f s; publishing %d s more%n",
                clients.connectionsCut.get(), cutNanos / 1e6, clients.resumed(), clientCount,
                (stormEnd - clients.cutStartNanos()) / 1e9, after);
        Thread.sleep(after * 1000L);
        publisher.stop();
        publishing.join();
        long[] published = publisher.published();
        double drainSeconds = drain(all, published);
        PrometheusText afterStorm = metricsOrNull(probe);

        Outcome outcome = report(all, clients, dialer.transport(), published, cutNanos, allResumed, connectSeconds,
                drainSeconds, publisher, before, afterStorm, cpuStorm, benchCpuStorm, gateway);
        clients.close();
        System.out.print(outcome.report().table());
        System.out.println(outcome.report().jsonLine());
        return outcome.clean() ? 0 : 1;
    }

    /** The report, and whether the run was clean: everyone resumed, nothing lost, doubled or reset. */
    private record Outcome(BenchReport report, boolean clean) {}

    private Outcome report(List<StormClient> all, StormClients clients, String transport, long[] published, long cutNanos,
            boolean allResumed, double connectSeconds, double drainSeconds, HttpPublisher publisher, PrometheusText before,
            PrometheusText afterStorm, double cpuStorm, long benchCpuStorm, ProcessStats gateway) {
        Histogram resumedMicros = new Histogram(3_600_000_000L, 3);
        Histogram welcomedMicros = new Histogram(3_600_000_000L, 3);
        Histogram resubscribedMicros = new Histogram(3_600_000_000L, 3);
        long lost = 0;
        long doubled = 0;
        long clientsWithLoss = 0;
        long clientsWithDoubles = 0;
        long maxLost = 0;
        long maxDoubled = 0;
        int maxAttempts = 0;
        long publishedTotal = 0;
        for (long p : published) {
            publishedTotal += p;
        }
        long cutStart = clients.cutStartNanos();
        for (StormClient c : all) {
            if (c.resumedOnce) {
                resumedMicros.recordValue(Math.max(0, (c.resumedNanos - cutStart) / 1000));
            }
            if (c.welcomedNanos != 0) {
                welcomedMicros.recordValue(Math.max(0, (c.welcomedNanos - cutStart) / 1000));
            }
            if (c.resubscribedNanos != 0) {
                resubscribedMicros.recordValue(Math.max(0, (c.resubscribedNanos - cutStart) / 1000));
            }
            long l = c.check.missing(published[c.room]);
            long d = c.check.duplicated() + c.check.reordered();
            lost += l;
            doubled += d;
            clientsWithLoss += l > 0 ? 1 : 0;
            clientsWithDoubles += d > 0 ? 1 : 0;
            maxLost = Math.max(maxLost, l);
            maxDoubled = Math.max(maxDoubled, d);
            maxAttempts = Math.max(maxAttempts, c.attemptsAfterCut);
        }
        double lastResumedSeconds = resumedMicros.getTotalCount() == 0 ? Double.NaN : resumedMicros.getMaxValue() / 1e6;
        boolean everyoneResumed = allResumed && resumedMicros.getTotalCount() == all.size();

        BenchReport report = new BenchReport();
        report.put("clients", all.size());
        report.put("rooms", roomCount);
        report.put("kind", kind);
        report.put("transport", transport);
        report.put("source_ips", sourceIps);
        report.put("rate_events_per_s", rate);
        report.put("connect_s", BenchReport.round(connectSeconds, 2));
        report.put("connect_refusals", StormClients.counts(clients.refusedBeforeCut).toString());
        report.put("warmup_s", warmup);
        report.put("storm", killPid == null ? "tcp reset of every connection" : "node killed (SIGKILL): " + target.url
                + ", clients moved to " + failoverUrls + "; metrics of " + failoverUrls.get(0));
        report.put("connections_cut", clients.connectionsCut.get());
        report.put("cut_ms", BenchReport.round(cutNanos / 1e6, 1));
        report.put("resumed", resumedMicros.getTotalCount());
        report.put("not_resumed", all.size() - resumedMicros.getTotalCount());
        report.put("resume_p50_ms", ms(resumedMicros, 50));
        report.put("resume_p99_ms", ms(resumedMicros, 99));
        report.put("resume_max_ms", ms(resumedMicros, 100));
        report.put("last_resumed_s", BenchReport.round(lastResumedSeconds, 3));
        report.put("welcome_p50_ms", ms(welcomedMicros, 50));
        report.put("welcome_p99_ms", ms(welcomedMicros, 99));
        report.put("welcome_max_ms", ms(welcomedMicros, 100));
        report.put("resubscribed_p50_ms", ms(resubscribedMicros, 50));
        report.put("resubscribed_p99_ms", ms(resubscribedMicros, 99));
        report.put("resubscribed_max_ms", ms(resubscribedMicros, 100));
        report.put("reconnect_attempts", clients.attemptsAfterCut.get());
        report.put("reconnect_attempts_max_per_client", maxAttempts);
        report.put("storm_refused_429", count(clients.refusedAfterCut, 429));
        report.put("storm_refused_503", count(clients.refusedAfterCut, 503));
        report.put("storm_refused_by_status", StormClients.counts(clients.refusedAfterCut).toString());
        report.put("storm_closes_by_code", StormClients.counts(clients.closesAfterCut).toString());
        report.put("connect_failures", clients.connectFailures.get());
        report.put("resets", clients.resets.get());
        report.put("unexpected_closes", clients.unexpectedCloses.get());
        report.put("clients_given_up", clients.gaveUp());
        report.put("events_published", publishedTotal);
        report.put("publish_failed_posts", publisher.failedPosts());
        report.put("publish_post_max_ms", BenchReport.round(publisher.postMicros().getMaxValue() / 1000.0, 1));
        report.put("lost", lost);
        report.put("doubled", doubled);
        report.put("clients_with_loss", clientsWithLoss);
        report.put("clients_with_doubles", clientsWithDoubles);
        report.put("max_lost_per_client", maxLost);
        report.put("max_doubled_per_client", maxDoubled);
        report.put("drain_s", BenchReport.round(drainSeconds, 2));
        report.put("backoff", "full jitter, " + backoffMin + " ms .. " + backoffMax + " ms, x" + backoffMultiplier);
        report.put("gateway_admission", AdmissionSettings.describe(gatewayLog, gatewayPid));
        report.put("gateway_rejected_node_rate", delta(before, afterStorm, "tickwire_handshakes_rejected_total", "reason=\"node_rate\""));
        report.put("gateway_rejected_address_rate", delta(before, afterStorm, "tickwire_handshakes_rejected_total", "reason=\"address_rate\""));
        report.put("gateway_rejected_other", delta(before, afterStorm, "tickwire_handshakes_rejected_total")
                - delta(before, afterStorm, "tickwire_handshakes_rejected_total", "reason=\"node_rate\"")
                - delta(before, afterStorm, "tickwire_handshakes_rejected_total", "reason=\"address_rate\""));
        report.put("gateway_closes", deltas(before, afterStorm, "tickwire_connections_closed_total"));
        report.put("gateway_resumes_replayed", delta(before, afterStorm, "tickwire_resumes_total", "outcome=\"replayed\""));
        report.put("gateway_resumes_up_to_date", delta(before, afterStorm, "tickwire_resumes_total", "outcome=\"up_to_date\""));
        report.put("gateway_resumes_reset", delta(before, afterStorm, "tickwire_resumes_total", "outcome=\"reset_history_unavailable\"")
                + delta(before, afterStorm, "tickwire_resumes_total", "outcome=\"reset_epoch_changed\""));
        if (gateway != null) {
            report.put("gateway_cpu_s_storm", BenchReport.round(cpuStorm, 2));
            report.put("gateway_peak_rss_mib", BenchReport.round(peakRssKb(gateway) / 1024.0, 1));
        }
        report.put("bench_cpu_s_storm", BenchReport.round(benchCpuStorm / 1e9, 2));
        report.put("bench_open_files", OpenFiles.open());
        report.put("bench_max_files", OpenFiles.max());
        boolean correct = everyoneResumed && lost == 0 && doubled == 0 && clients.resets.get() == 0
                && clients.gaveUp() == 0 && clients.unexpectedCloses.get() == 0;
        report.put("target_s", targetSeconds);
        report.put("target_met", correct && lastResumedSeconds <= targetSeconds);
        if (clients.exampleFailure() != null) {
            report.put("example_failure", clients.exampleFailure());
        }
        return new Outcome(report, correct);
    }

    private String problem() {
        if (target.secret() == null) {
            return "--secret (or TICKWIRE_AUTH_HMAC_SECRET) is required";
        }
        if (clientCount < 1 || roomCount < 1 || !(rate > 0) || !(connectRate > 0) || warmup < 0 || after < 0
                || resumeTimeout < 1 || threads < 0 || payload < 0) {
            return "--clients, --rooms, --rate, --connect-rate and --resume-timeout must be at least 1;"
                    + " --warmup, --after, --threads and --payload 0 or more";
        }
        if (killPid != null && failoverUrls.isEmpty()) {
            return "--kill-pid needs at least one --failover-url (where the clients go)";
        }
        if (kind.equals("price") || kind.equals("book") || !kind.matches("[a-z][a-z0-9]{0,31}")) {
            return "--kind must be a reliable room kind (trades, account, orders): " + kind;
        }
        return null;
    }

    /** Waits until every client has its room's last counter, or 10 s; returns the seconds waited. */
    private static double drain(List<StormClient> all, long[] published) throws InterruptedException {
        long start = System.nanoTime();
        while (System.nanoTime() - start < 10_000_000_000L) {
            boolean done = true;
            for (StormClient c : all) {
                if (c.check.last() < published[c.room]) {
                    done = false;
                    break;
                }
            }
            if (done) {
                break;
            }
            Thread.sleep(20);
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private static Double ms(Histogram micros, double percentile) {
        if (micros.getTotalCount() == 0) {
            return null;
        }
        long v = percentile >= 100 ? micros.getMaxValue() : micros.getValueAtPercentile(percentile);
        return BenchReport.round(v / 1000.0, 1);
    }

    private static long count(Map<Integer, LongAdder> byStatus, int status) {
        LongAdder adder = byStatus.get(status);
        return adder == null ? 0 : adder.sum();
    }

    private static double delta(PrometheusText before, PrometheusText after, String name, String... labels) {
        if (before == null || after == null) {
            return Double.NaN;
        }
        return after.sum(name, labels) - before.sum(name, labels);
    }

    /** The series of {@code name} that changed, as {@code labels=delta ...}. */
    private static String deltas(PrometheusText before, PrometheusText after, String name) {
        if (before == null || after == null) {
            return null;
        }
        Map<String, Double> was = before.series(name);
        StringBuilder out = new StringBuilder();
        after.series(name).forEach((series, value) -> {
            double d = value - was.getOrDefault(series, 0.0);
            if (d != 0) {
                out.append(out.length() == 0 ? "" : " ").append(series.substring(name.length())).append('=').append((long) d);
            }
        });
        return out.toString();
    }

    private static PrometheusText metricsOrNull(GatewayProbe probe) {
        try {
            return probe.metrics();
        } catch (Exception e) {
            System.err.println("storm: gateway metrics unavailable: " + e);
            return null;
        }
    }

    private static double cpu(ProcessStats gateway) {
        try {
            return gateway == null ? Double.NaN : gateway.cpuSeconds();
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    private static long peakRssKb(ProcessStats gateway) {
        try {
            return gateway.statusKb("VmHWM");
        } catch (Exception e) {
            return -1;
        }
    }
}
