package io.tickwire.testsupport;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real {@code nats-server -js} as a child process, for a test class:
 * {@code @RegisterExtension static final NatsServerProcess nats = new NatsServerProcess();}.
 *
 * <p>Started before the class's tests on a free loopback port with its own store directory, ready once it answers
 * a JetStream request (sent in the text protocol over a plain socket: this module, on every module's test class
 * path, needs no NATS client); {@link #stop()} (SIGTERM), {@link #kill()} (SIGKILL) and {@link #start()} again on the same
 * port and store; killed after the class and, should the JVM exit first, by a shutdown hook. Its output goes to
 * {@code target/nats-logs/nats-<n>.log}, never to a pipe nobody reads (a full pipe would block the server).
 *
 * <p>The binary is {@code $TICKWIRE_NATS_SERVER}, else {@code nats-server} on the {@code PATH}, else
 * {@code /usr/sbin/nats-server} (Debian's package; a non-root {@code PATH} may lack {@code /usr/sbin}). Without one
 * the tests fail on CI ({@code CI=true}) and are skipped elsewhere, with the install hint.
 *
 * <p>Without the extension: {@link #start()} (the first call picks the port and store) and {@link #close()}.
 */
public final class NatsServerProcess implements BeforeAllCallback, AfterAllCallback, AutoCloseable {

    private static final AtomicInteger COUNT = new AtomicInteger();
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(15);

    private final int index = COUNT.incrementAndGet();
    private Path binary;
    private Path storeDir;
    private Path logFile;
    private int port;
    private Process process;
    private Thread shutdownHook;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    /**
     * Kills the server and deletes its store. For use without the extension (a server per test: {@link #start()}
     * in the test, this in a {@code finally} or try-with-resources).
     */
    @Override
    public synchronized void close() {
        destroyForcibly();
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException ignored) {
                // shutting down already
            }
            shutdownHook = null;
        }
        deleteRecursively(storeDir);
    }

    /** First start: the binary, a free port, a store directory, the log file and the shutdown hook. */
    private void init() throws IOException {
        binary = findBinary();
        Path target = Paths.get("target").toAbsolutePath();
        Files.createDirectories(target.resolve("nats-logs"));
        logFile = target.resolve("nats-logs").resolve("nats-" + ProcessHandle.current().pid() + "-" + index + ".log");
        storeDir = Files.createTempDirectory(target, "nats-store-");
        port = ServerBinaries.freePort();
        shutdownHook = new Thread(this::destroyForcibly, "nats-server-killer");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** {@code nats://127.0.0.1:<port>}. */
    public String url() {
        return "nats://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Path storeDir() {
        return storeDir;
    }

    public boolean running() {
        return process != null && process.isAlive();
    }

    /** Starts the server (again) on the same port and store, and waits until it answers JetStream requests. */
    public synchronized void start() throws IOException, InterruptedException {
        if (running()) {
            return;
        }
        if (binary == null) {
            init();
        }
        List<String> command = new ArrayList<>(List.of(binary.toString(), "-js", "-sd", storeDir.toString(),
                "-a", "127.0.0.1", "-p", Integer.toString(port), "-n", "tw-test-" + index));
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        process = pb.start();
        awaitJetStream();
    }

    /** Stops the server gracefully (SIGTERM) and waits for it to exit. */
    public synchronized void stop() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        process = null;
    }

    /** Kills the server (SIGKILL) and waits for it to exit. */
    public synchronized void kill() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        process = null;
    }

    /** Deletes the server's store (a lost disk): only while the server is stopped. */
    public synchronized void wipeStore() throws IOException {
        if (running()) {
            throw new IllegalStateException("stop the server before wiping its store");
        }
        deleteRecursively(storeDir);
        Files.createDirectories(storeDir);
    }

    /** The last lines of the server's log, for failure messages. */
    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(logFile);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private void awaitJetStream() throws InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("nats-server exited with " + process.exitValue() + ":\n" + logTail());
            }
            last = probeJetStream();
            if (last == null) {
                return;
            }
            Thread.sleep(50);
        }
        destroyForcibly();
        throw new IllegalStateException("nats-server on port " + port + " did not answer JetStream requests within "
                + READY_TIMEOUT + " (" + last + "):\n" + logTail());
    }

    /**
     * One JetStream request ({@code $JS.API.INFO}, the account statistics) in the NATS text protocol over a plain
     * socket, so that this module needs no NATS client: null when a reply came, else why not. With
     * {@code no_responders}, a request nobody answers (JetStream not up yet) comes back at once as an {@code HMSG}
     * with status 503.
     */
    private String probeJetStream() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            s.setSoTimeout(1000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            String info = in.readLine();
            if (info == null || !info.startsWith("INFO ")) {
                return "no INFO line: " + info;
            }
            OutputStream out = s.getOutputStream();
            out.write(("CONNECT {\"verbose\":false,\"pedantic\":false,\"headers\":true,\"no_responders\":true,"
                    + "\"name\":\"tickwire-probe\"}\r\n"
                    + "SUB _INBOX.tickwire-probe 1\r\n"
                    + "PUB $JS.API.INFO _INBOX.tickwire-probe 0\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("MSG ")) {
                    return null;
                }
                if (line.startsWith("HMSG ")) {
                    return "JetStream not answering (" + line + ")";
                }
                if (line.startsWith("-ERR")) {
                    return line;
                }
                if (line.startsWith("PING")) {
                    out.write("PONG\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            }
            return "connection closed";
        } catch (IOException e) {
            return e.toString();
        }
    }

    private synchronized void destroyForcibly() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    /** The binary this class would run; aborts (or fails on CI) when there is none. */
    public static Path findBinary() {
        return ServerBinaries.find("TICKWIRE_NATS_SERVER", "nats-server", Paths.get("/usr/sbin/nats-server"),
                "nats-server not found (set TICKWIRE_NATS_SERVER, or: apt-get install nats-server)");
    }

    private static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException ignored) {
            // target/ is cleaned by the build anyway
        }
    }
}
