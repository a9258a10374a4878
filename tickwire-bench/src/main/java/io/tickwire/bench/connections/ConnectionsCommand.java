package io.tickwire.bench.connections;

import io.tickwire.bench.client.Backoff;
import io.tickwire.bench.client.RetryPolicy;
import io.tickwire.bench.client.WsDialer;
import io.tickwire.bench.gateway.AdmissionSettings;
import io.tickwire.bench.gateway.GatewayProbe;
import io.tickwire.bench.gateway.MemorySample;
import io.tickwire.bench.support.BenchReport;
import io.tickwire.bench.support.BenchTokens;
import io.tickwire.bench.support.GatewayTarget;
import io.tickwire.bench.support.OpenFiles;
import io.tickwire.bench.support.ProcessStats;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code connections}: opens idle WebSocket connections at a paced rate up to each of the given steps and, at
 * each step, reads the gateway's memory after a full GC; reports the connect rate achieved and the memory per
 * connection as slopes between steps.
 */
@Command(name = "connections", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Idle connections: open N WebSocket connections at a paced rate (each authenticated as its own user,"
                    + " optionally subscribed to one room), and at each of --steps measure the gateway's memory.",
            "With --gateway-pid, each step runs `jcmd <pid> GC.run`, then reads the heap in use after that full GC,"
                    + " Netty's allocator memory (direct and heap) from /metrics, and VmRSS from /proc/<pid>/status;"
                    + " the report gives the values per step and the bytes per connection between consecutive steps"
                    + " and from first to last.",
            "RSS per connection means something only if the gateway's heap cannot grow or shrink meanwhile: start it"
                    + " with -Xms equal to -Xmx (and -XX:+AlwaysPreTouch, so the heap is resident from the start)."},
        footer = {"",
            "Admission: the gateway's defaults (server.handshakes-per-second 2000, burst 2000; per address 100/s,"
                    + " burst 500; server.max-connections-per-user 50) refuse a fast opener. The bench uses one user"
                    + " per connection and spreads connections over --source-ips addresses, and retries 429/503 after"
                    + " their Retry-After; refusals are counted. To open faster than --source-ips x 100/s, lift"
                    + " TICKWIRE_SERVER_ADDRESS_HANDSHAKES_PER_SECOND / _ADDRESS_HANDSHAKE_BURST on the gateway;"
                    + " beyond 2000/s, TICKWIRE_SERVER_HANDSHAKES_PER_SECOND / _HANDSHAKE_BURST.",
            "Open files: every connection is one open file of this process; the run refuses to start when N does not"
                    + " fit under this process's limit (with " + OpenFiles.RESERVE + " kept in reserve)."})
public final class ConnectionsCommand implements Callable<Integer> {

    @Mixin
    GatewayTarget target;

    @Option(names = "--steps", split = ",", defaultValue = "500,1000",
            description = "Connection counts to measure at, increasing; the last is N; 0 measures before any (default: ${DEFAULT-VALUE}).")
    List<Integer> steps;

    @Option(names = "--connect-rate", defaultValue = "1000", description = "New connections per second (default: ${DEFAULT-VALUE}).")
    double connectRate;

    @Option(names = "--source-ips", defaultValue = "32",
            description = "Spread connections over source addresses 127.0.0.1..127.0.0.N (loopback targets only; 0 = no binding; default: ${DEFAULT-VALUE}).")
    int sourceIps;

    @Option(names = "--rooms", defaultValue = "0",
            description = "0: connections only connect; R > 0: connection i subscribes to <kind>:C<i mod R> (default: ${DEFAULT-VALUE}).")
    int rooms;

    @Option(names = "--kind", defaultValue = "trades",
            description = "Room kind with --rooms; kinds with access: granted (account, orders) get the room granted in the token (default: ${DEFAULT-VALUE}).")
    String kind;

    @Option(names = "--settle", defaultValue = "2", description = "Seconds to wait at each step before measuring (default: ${DEFAULT-VALUE}).")
    int settleSeconds;

    @Option(names = "--hold", defaultValue = "0", description = "Seconds to keep the connections open after the last step (default: ${DEFAULT-VALUE}).")
    int holdSeconds;

    @Option(names = "--threads", defaultValue = "0", description = "Event-loop threads of the bench; 0 = cores (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--gateway-pid", description = "The gateway's pid: full GC before each reading (jcmd), and RSS.")
    Long gatewayPid;

    @Option(names = "--gateway-log", description = "The gateway's log, to report its admission settings (else read from its environment with --gateway-pid).")
    Path gatewayLog;

    @Override
    public Integer call() throws Exception {
        String secret = target.secret();
        String problem = problem();
        if (problem != null) {
            System.err.println("connections: " + problem);
            return 2;
        }
        int n = steps.get(steps.size() - 1);
        String noRoom = OpenFiles.checkRoomFor(n);
        if (noRoom != null) {
            System.err.println("connections: " + noRoom);
            return 2;
        }
        GatewayProbe probe;
        WsDialer dialer;
        try {
            probe = new GatewayProbe(target.url, gatewayPid);
            dialer = new WsDialer(target.url, threads > 0 ? threads : Runtime.getRuntime().availableProcessors(), sourceIps);
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("connections: " + e.getMessage());
            return 2;
        }
        double estimatedSeconds = n / connectRate + steps.size() * (settleSeconds + 30.0) + holdSeconds;
        BenchTokens tokens = new BenchTokens(secret, (long) (estimatedSeconds * 1000) + 3_600_000L);
        boolean granted = kind.equals("account") || kind.equals("orders");
        List<IdleConnection> all = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String room = rooms > 0 ? kind + ":C" + (i % rooms) : null;
            String token = tokens.client("conn-" + i, granted && room != null ? List.of(room) : List.of());
            all.add(new IdleConnection(i, token,
                    room == null ? null : "{\"op\":\"subscribe\",\"id\":1,\"rooms\":[\"" + room + "\"]}"));
        }
        IdleConnections pool = new IdleConnections(dialer,
                new RetryPolicy(new Backoff(Backoff.DEFAULT_MIN_MILLIS, Backoff.DEFAULT_MAX_MILLIS, Backoff.DEFAULT_MULTIPLIER)),
                all);
        System.err.printf("connections: %d at %.0f/s over %d source addresses (%s), measuring at %s%s%n", n, connectRate,
                dialer.sourceIps(), dialer.transport(), steps, gatewayPid == null ? " (no --gateway-pid: no full GC, no RSS)" : "");

        long benchCpuStart = ProcessStats.ownCpuNanos();
        List<MemorySample> samples = new ArrayList<>();
        List<Map<String, Object>> stepRows = new ArrayList<>();
        double connectSecondsTotal = 0;
        int open = 0;
        boolean complete = true;
        try {
            for (int step : steps) {
                long t0 = System.nanoTime();
                pool.open(open, step, connectRate);
                long timeout = (long) ((60 + 3.0 * (step - open) / connectRate) * 1e9);
                if (!pool.awaitEstablished(step, timeout)) {
                    System.err.printf("connections: only %d of %d established (refused 429/503/other %d/%d/%d, connect failures %d);"
                            + " %s%n", pool.established(), step, pool.refused429.get(), pool.refused503.get(),
                            pool.refusedOther.get(), pool.connectFailures.get(), pool.exampleFailure());
                    complete = false;
                    break;
                }
                double connectSeconds = (System.nanoTime() - t0) / 1e9;
                connectSecondsTotal += connectSeconds;
                int added = step - open;
                open = step;
                Thread.sleep(settleSeconds * 1000L);
                long s0 = System.nanoTime();
                MemorySample sample = probe.sample(pool.established());
                double sampleSeconds = (System.nanoTime() - s0) / 1e9;
                samples.add(sample);
                stepRows.add(stepRow(sample, added, connectSeconds, sampleSeconds));
                System.err.printf("  step %d: connected in %.1f s, heap %.1f MiB, netty direct %.1f MiB, RSS %.1f MiB%n", step,
                        connectSeconds, mib(sample.heapUsed()), mib(sample.nettyDirect()), mib(sample.rss()));
            }
            if (complete && holdSeconds > 0) {
                System.err.printf("holding %d connections for %d s%n", open, holdSeconds);
                Thread.sleep(holdSeconds * 1000L);
            }
        } finally {
            long benchOpen = OpenFiles.open();
            BenchReport report = new BenchReport();
            report.put("connections", n);
            report.put("connections_established", pool.established());
            report.put("rooms", rooms);
            report.put("kind", rooms > 0 ? kind : null);
            report.put("transport", dialer.transport());
            report.put("source_ips", dialer.sourceIps());
            report.put("connect_rate_target_per_s", connectRate);
            report.put("connect_rate_achieved_per_s",
                    connectSecondsTotal == 0 ? null : BenchReport.round(open / connectSecondsTotal, 1));
            report.put("establish_p50_ms", ms(pool.establishMicros.getValueAtPercentile(50)));
            report.put("establish_p99_ms", ms(pool.establishMicros.getValueAtPercentile(99)));
            report.put("establish_max_ms", ms(pool.establishMicros.getMaxValue()));
            report.put("refused_429", pool.refused429.get());
            report.put("refused_503", pool.refused503.get());
            report.put("refused_other", pool.refusedOther.get());
            report.put("connect_failures", pool.connectFailures.get());
            report.put("lost_after_established", pool.lostAfterEstablished.get());
            report.put("subscribe_errors", pool.subscribeErrors.get());
            report.put("bench_cpu_s", BenchReport.round((ProcessStats.ownCpuNanos() - benchCpuStart) / 1e9, 2));
            report.put("bench_open_files", benchOpen);
            report.put("bench_max_files", OpenFiles.max());
            report.put("full_gc_before_reading", gatewayPid != null);
            report.put("jcmd", probe.jcmdPath());
            report.put("gateway_admission", AdmissionSettings.describe(gatewayLog, gatewayPid));
            report.putRows("steps", stepRows);
            report.putRows("bytes_per_connection", MemorySlopes.rows(samples));
            pool.close();
            System.out.print(report.table());
            System.out.println(report.jsonLine());
        }
        boolean clean = complete && pool.lostAfterEstablished.get() == 0 && pool.subscribeErrors.get() == 0;
        return clean ? 0 : 1;
    }

    private String problem() {
        if (target.secret() == null) {
            return "--secret (or TICKWIRE_AUTH_HMAC_SECRET) is required";
        }
        if (steps.isEmpty() || steps.get(steps.size() - 1) < 1) {
            return "--steps must end with a count of at least 1";
        }
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i) < 0 || i > 0 && steps.get(i) <= steps.get(i - 1)) {
                return "--steps must be increasing counts, 0 or more: " + steps;
            }
        }
        if (!(connectRate > 0) || rooms < 0 || settleSeconds < 0 || holdSeconds < 0 || threads < 0) {
            return "--connect-rate must be above 0; --rooms, --settle, --hold and --threads 0 or more";
        }
        if (!kind.matches("[a-z][a-z0-9]{0,31}")) {
            return "--kind must be a room kind ([a-z][a-z0-9]{0,31}): " + kind;
        }
        return null;
    }

    private static Map<String, Object> stepRow(MemorySample s, int added, double connectSeconds, double sampleSeconds) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("connections", s.connections());
        row.put("gateway_conns", s.gatewayConnections());
        row.put("connect_s", BenchReport.round(connectSeconds, 2));
        row.put("per_s", added == 0 ? null : BenchReport.round(added / connectSeconds, 1));
        row.put("heap_mib", BenchReport.round(mib(s.heapUsed()), 2));
        row.put("netty_direct_mib", BenchReport.round(mib(s.nettyDirect()), 2));
        row.put("netty_heap_mib", BenchReport.round(mib(s.nettyHeap()), 2));
        row.put("jvm_direct_mib", BenchReport.round(mib(s.jvmDirectBuffers()), 2));
        row.put("rss_mib", s.rss() < 0 ? null : BenchReport.round(mib(s.rss()), 1));
        row.put("gw_files", s.gatewayOpenFiles());
        row.put("sample_s", BenchReport.round(sampleSeconds, 2));
        return row;
    }

    private static double mib(double bytes) {
        return bytes / (1024.0 * 1024.0);
    }

    private static double ms(long micros) {
        return BenchReport.round(micros / 1000.0, 1);
    }
}
