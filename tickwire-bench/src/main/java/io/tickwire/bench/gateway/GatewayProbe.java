package io.tickwire.bench.gateway;

import io.tickwire.bench.support.ProcessStats;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Reads the gateway's memory: with its pid, first a full GC ({@code jcmd <pid> GC.run}, so the heap figure is
 * the live data, not garbage), then its {@code /metrics} (heap in use, Netty's allocator, the JVM's direct
 * buffers, connections, open files) and its RSS from {@code /proc}. Without a pid only {@code /metrics}.
 */
public final class GatewayProbe {

    private final URI metricsUri;
    private final Jcmd jcmd; // null without a pid
    private final ProcessStats process; // null without a pid
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    public GatewayProbe(URI baseUri, Long pid) {
        this.metricsUri = baseUri.resolve("/metrics");
        this.jcmd = pid == null ? null : Jcmd.forPid(pid);
        this.process = pid == null ? null : new ProcessStats(pid);
    }

    /** jcmd's path, or null without a pid. */
    public String jcmdPath() {
        return jcmd == null ? null : jcmd.executable().toString();
    }

    /** The gateway's metrics now. */
    public PrometheusText metrics() throws IOException, InterruptedException {
        HttpResponse<String> res = http.send(HttpRequest.newBuilder(metricsUri).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() != 200) {
            throw new IOException("GET " + metricsUri + ": HTTP " + res.statusCode());
        }
        return PrometheusText.parse(res.body());
    }

    /** A full GC (with a pid), then the readings; {@code connections} is the bench's own count, recorded alongside. */
    public MemorySample sample(long connections) throws IOException, InterruptedException {
        boolean fullGc = false;
        if (jcmd != null) {
            jcmd.run("GC.run", 120);
            fullGc = true;
        }
        PrometheusText m = metrics();
        long rss = process == null ? -1 : process.statusKb("VmRSS") * 1024;
        return new MemorySample(connections, m.sum("tickwire_connections"),
                m.sum("jvm_memory_used_bytes", "area=\"heap\""),
                m.sum("netty_allocator_memory_used", "memory_type=\"direct\""),
                m.sum("netty_allocator_memory_used", "memory_type=\"heap\""),
                m.sum("jvm_buffer_memory_used_bytes", "id=\"direct\""),
                rss, m.sum("process_files_open_files"), fullGc);
    }
}
