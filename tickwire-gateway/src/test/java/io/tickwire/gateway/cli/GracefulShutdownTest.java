package io.tickwire.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.tickwire.gateway.testing.JdkWsClient;
import io.tickwire.gateway.testing.TestGateway;
import io.tickwire.gateway.auth.TokenMinter;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What the process does on SIGTERM ({@link Main#shutdown}, run by its shutdown hook): drain, wait for the last
 * connection or the deadline, then stop. Once through the method, once with a real process and a real SIGTERM.
 */
class GracefulShutdownTest {

    @Test
    void sigtermDrainsTheProcessAndItExits() throws Exception {
        String classpath = System.getProperty("java.class.path");
        assertThat(classpath).as("the test classpath").contains("classes");
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Path log = Files.createTempFile("tickwire-sigterm", ".log");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classpath, Main.class.getName(), "serve", "--port", Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("TICKWIRE_"));
        pb.environment().putAll(Map.of("TICKWIRE_AUTH_HMAC_SECRET", TestGateway.SECRET,
                "TICKWIRE_SERVER_HOST", "127.0.0.1", "TICKWIRE_SERVER_IO_THREADS", "1",
                "TICKWIRE_DRAIN_WINDOW_SECONDS", "2", "TICKWIRE_DRAIN_EXIT_DEADLINE_SECONDS", "5"));
        Process process = pb.start();
        List<JdkWsClient> clients = new ArrayList<>();
        try {
            URI ws = URI.create("ws://127.0.0.1:" + port + "/ws");
            awaitLive(port, process, log);
            String token = new TokenMinter(TestGateway.SECRET).mint("sig", List.of(), "", System.currentTimeMillis() + 60_000);
            for (int i = 0; i < 3; i++) {
                JdkWsClient c = JdkWsClient.connect(ws, token);
                clients.add(c);
                c.nextOfType("welcome");
            }

            long t0 = System.nanoTime();
            process.destroy(); // SIGTERM

            for (JdkWsClient c : clients) {
                JsonNode reconnect = c.next(n -> n.path("type").asText().equals("reconnect"), Duration.ofSeconds(10));
                assertThat(reconnect.path("after_ms").asLong()).isBetween(0L, 2000L);
                assertThat(c.awaitClose(Duration.ofSeconds(10))).isEqualTo(1012);
            }
            assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("exited; log:%n%s", Files.readString(log)).isTrue();
            long tookMs = (System.nanoTime() - t0) / 1_000_000;
            assertThat(tookMs).as("the window (2 s), well before the deadline (5 s)").isLessThan(4500);
            assertThat(process.exitValue()).as("terminated by SIGTERM").isEqualTo(143);
            assertThat(Files.readString(log)).as("drained before the deadline").doesNotContain("drain deadline");
        } finally {
            clients.forEach(JdkWsClient::close);
            process.destroyForcibly();
            Files.deleteIfExists(log);
        }
    }

    private static void awaitLive(int port, Process process, Path log) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            assertThat(process.isAlive()).as("the gateway process runs; log:%n%s", Files.readString(log)).isTrue();
            try {
                int status = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status == 200) {
                    return;
                }
            } catch (java.io.IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the gateway process did not become ready; log:\n" + Files.readString(log));
    }

    @Test
    void shutdownDrainsEveryConnectionThenStops() {
        TestGateway gw = TestGateway.start(Map.of("TICKWIRE_DRAIN_WINDOW_SECONDS", "2",
                "TICKWIRE_DRAIN_EXIT_DEADLINE_SECONDS", "6"));
        List<JdkWsClient> clients = connect(gw, 10);
        boolean stopped = false;
        try {
            long t0 = System.nanoTime();
            boolean drained = Main.shutdown(gw.gateway(), Duration.ofSeconds(gw.gateway().config().drain().exitDeadlineSeconds()));
            stopped = true;
            long tookMs = (System.nanoTime() - t0) / 1_000_000;

            assertThat(drained).isTrue();
            assertThat(tookMs).as("the window (2 s) and the close handshakes, well before the deadline").isLessThan(4500);
            for (JdkWsClient c : clients) {
                assertThat(c.awaitClose(Duration.ofSeconds(1))).isEqualTo(1012);
                assertThat(c.drain(Duration.ofMillis(1))).anyMatch(n -> n.path("type").asText().equals("reconnect"));
            }
            assertThatThrownBy(() -> new Socket("127.0.0.1", gw.port()).close()).as("the node has stopped")
                    .isInstanceOf(ConnectException.class);
        } finally {
            clients.forEach(JdkWsClient::close);
            if (!stopped) {
                gw.close();
            }
        }
    }

    @Test
    void atTheDeadlineTheConnectionsLeftAreClosedWith1001() {
        TestGateway gw = TestGateway.start(Map.of("TICKWIRE_DRAIN_WINDOW_SECONDS", "6",
                "TICKWIRE_DRAIN_EXIT_DEADLINE_SECONDS", "10"));
        List<JdkWsClient> clients = connect(gw, 20);
        boolean stopped = false;
        try {
            long t0 = System.nanoTime();
            boolean drained = Main.shutdown(gw.gateway(), Duration.ofSeconds(1)); // shorter than the window
            stopped = true;
            long tookMs = (System.nanoTime() - t0) / 1_000_000;

            assertThat(drained).isFalse();
            assertThat(tookMs).as("the deadline, then the stop").isBetween(900L, 4500L);
            int restarted = 0;
            int goingAway = 0;
            for (JdkWsClient c : clients) {
                int code = c.awaitClose(Duration.ofSeconds(5));
                JsonNode reconnect = c.next(n -> n.path("type").asText().equals("reconnect"), Duration.ofSeconds(1));
                long afterMs = reconnect.path("after_ms").asLong();
                if (afterMs < 700) {
                    assertThat(code).as("announced %d ms: closed by the drain", afterMs).isEqualTo(1012);
                    restarted++;
                } else if (afterMs > 2000) {
                    assertThat(code).as("announced %d ms: closed at the deadline", afterMs).isEqualTo(1001);
                    goingAway++;
                }
            }
            assertThat(goingAway).as("most of a 6 s window lies past a 1 s deadline").isGreaterThan(0);
            assertThat(restarted + goingAway).isGreaterThan(0);
        } finally {
            clients.forEach(JdkWsClient::close);
            if (!stopped) {
                gw.close();
            }
        }
    }

    private static List<JdkWsClient> connect(TestGateway gw, int n) {
        List<JdkWsClient> clients = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            JdkWsClient c = JdkWsClient.connect(gw.wsUri(), gw.token("shut-" + i));
            clients.add(c);
            c.nextOfType("welcome");
        }
        return clients;
    }
}
