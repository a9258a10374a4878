package io.tickwire.bench.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickwire.bench.cli.Main;
import io.tickwire.gateway.Gateway;
import io.tickwire.gateway.config.ConfigLoader;
import io.tickwire.gateway.config.GatewayConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * {@code connections} and {@code storm}, small, against a real gateway started in this JVM in {@code serve} mode
 * with its default admission settings: the commands run end to end and report a clean run. The figures
 * themselves mean little here (the gateway shares this JVM and its heap); this proves the machinery.
 */
@Timeout(90)
class CommandsIntegrationTest {

    private static final String SECRET = "bench-integration-secret-0123456789abcdefghij";
    private static Gateway gateway;

    @BeforeAll
    static void startGateway() throws InterruptedException {
        gateway = Gateway.start(ConfigLoader.load(GatewayConfig.Mode.SERVE, null, Map.of(
                "TICKWIRE_SERVER_HOST", "127.0.0.1",
                "TICKWIRE_SERVER_PORT", "0",
                "TICKWIRE_SERVER_IO_THREADS", "2",
                "TICKWIRE_AUTH_HMAC_SECRET", SECRET,
                "TICKWIRE_NODE_ID", "gw-bench-test")));
    }

    @AfterAll
    static void stopGateway() {
        gateway.close();
    }

    private static String url() {
        return "http://127.0.0.1:" + gateway.port();
    }

    /** Runs the bench's command line; returns its exit code and what it printed on stdout. */
    private static Run bench(String... args) {
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            int code = new CommandLine(new Main()).execute(args);
            return new Run(code, captured.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.out.print(captured.toString(StandardCharsets.UTF_8));
        }
    }

    private record Run(int exitCode, String stdout) {
        String jsonLine() {
            String[] lines = stdout.strip().split("\n");
            return lines[lines.length - 1];
        }
    }

    @Test
    void connectionsOpensEveryStepAndMeasuresTheGatewayAfterAFullGc() {
        long pid = ProcessHandle.current().pid(); // the gateway runs in this JVM
        Run run = bench("connections", "--url", url(), "--secret", SECRET, "--steps", "100,200", "--connect-rate", "1000",
                "--source-ips", "8", "--rooms", "10", "--settle", "0", "--gateway-pid", Long.toString(pid));

        assertThat(run.exitCode()).isZero();
        String json = run.jsonLine();
        assertThat(json).contains("\"connections_established\":200", "\"lost_after_established\":0",
                "\"full_gc_before_reading\":true", "\"subscribe_errors\":0");
        assertThat(json).containsPattern("\"steps\":\\[\\{\"connections\":100,\"gateway_conns\":100,.*\\{\"connections\":200,\"gateway_conns\":200,");
        assertThat(json).containsPattern("\"bytes_per_connection\":\\[\\{\"from\":100,\"to\":200,\"heap_b_per_conn\":-?\\d");
        assertThat(run.stdout()).contains("bytes_per_connection:");
    }

    @Test
    void stormCutsEveryClientAndAllResumeWithoutLossOrDoubles() {
        Run run = bench("storm", "--url", url(), "--secret", SECRET, "--clients", "100", "--rooms", "10", "--rate", "200",
                "--warmup", "1", "--after", "1", "--source-ips", "8");

        assertThat(run.exitCode()).isZero();
        String json = run.jsonLine();
        assertThat(json).contains("\"connections_cut\":100", "\"resumed\":100", "\"not_resumed\":0", "\"lost\":0",
                "\"doubled\":0", "\"resets\":0", "\"unexpected_closes\":0", "\"gateway_resumes_replayed\":");
        assertThat(json).containsPattern("\"events_published\":[1-9]\\d{2,}"); // ~400 in 2 s: the check had work to do
    }

    @Test
    void stormResumesGrantedAccountRooms() {
        Run run = bench("storm", "--url", url(), "--secret", SECRET, "--clients", "20", "--rooms", "20", "--kind", "account",
                "--rate", "100", "--warmup", "1", "--after", "1", "--source-ips", "4");

        assertThat(run.exitCode()).isZero();
        assertThat(run.jsonLine()).contains("\"resumed\":20", "\"lost\":0", "\"doubled\":0");
    }

    @Test
    void moreConnectionsThanThisProcessCanOpenAreRefusedUpFront() {
        Run run = bench("connections", "--url", url(), "--secret", SECRET, "--steps", "1000000");
        assertThat(run.exitCode()).isEqualTo(2);
    }
}
