package io.tickwire.server;

import io.tickwire.gateway.auth.TokenMinter;
import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A gateway node as a separate JVM, started as production starts it ({@code io.tickwire.gateway.cli.Main serve},
 * configured only by {@code TICKWIRE_*} environment variables) with the test class path, so that the bus and the
 * coordinator are found as in the shaded jar, by {@link java.util.ServiceLoader}. A small JVM
 * ({@code -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1}, one event loop): a farm of three fits on two cores.
 *
 * <p>Always set: {@code TICKWIRE_SERVER_PORT=0}, {@code TICKWIRE_SERVER_HOST=127.0.0.1},
 * {@code TICKWIRE_SERVER_IO_THREADS=1}, {@code TICKWIRE_AUTH_HMAC_SECRET=}{@link #SECRET} and
 * {@code TICKWIRE_NODE_ID=<name>}; the constructor's variables add to or replace them. No {@code TICKWIRE_*}
 * variable of this JVM's environment is passed on (the gateway refuses unknown ones, and
 * {@code TICKWIRE_NATS_SERVER} is one).
 *
 * <p>The node's output goes to {@code target/farm-logs/<name>-<n>.log} (n counts the starts of that name), never to a
 * pipe; {@link #start()} reads the port from the {@code listening on} line there. {@link #kill9()} is SIGKILL,
 * {@link #stop()} SIGTERM (the node drains, then exits). A shutdown hook kills every node still running.
 */
public final class GatewayProcess implements AutoCloseable {

    /** The HMAC secret every node verifies tokens with (at least 32 bytes). */
    public static final String SECRET = "farm-test-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

    private static final Pattern LISTENING = Pattern.compile("node (\\S+) listening on ([^ ]+):(\\d+) ");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Path LOG_DIR = Paths.get("target", "farm-logs").toAbsolutePath();
    private static final Map<String, AtomicInteger> STARTS = new ConcurrentHashMap<>();
    private static final Set<GatewayProcess> RUNNING = ConcurrentHashMap.newKeySet();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final TokenMinter MINTER = new TokenMinter(SECRET);

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (GatewayProcess p : RUNNING) {
                Process process = p.process;
                if (process != null) {
                    process.destroyForcibly();
                }
            }
        }, "gateway-process-killer"));
    }

    private final String name;
    private final Map<String, String> env;
    private volatile Process process;
    private volatile int port;
    private volatile Path logFile;

    /**
     * A node named {@code name} (its {@code node-id}), not started.
     *
     * @param env further {@code TICKWIRE_*} variables, e.g. {@code TICKWIRE_BUS_TYPE=nats}
     */
    public GatewayProcess(String name, Map<String, String> env) {
        this.name = name;
        this.env = new LinkedHashMap<>(env);
    }

    public GatewayProcess(String name) {
        this(name, Map.of());
    }

    public String name() {
        return name;
    }

    /** Starts the node and waits for its {@code listening on} line (not for readiness: see {@link #waitReady}). */
    public synchronized GatewayProcess start() throws IOException, InterruptedException {
        if (alive()) {
            throw new IllegalStateException(name + " is running already");
        }
        Files.createDirectories(LOG_DIR);
        int n = STARTS.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
        logFile = LOG_DIR.resolve(name + "-" + n + ".log");
        Files.deleteIfExists(logFile);
        List<String> command = new ArrayList<>(List.of(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", classPath(), "io.tickwire.gateway.cli.Main", "serve"));
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> childEnv = pb.environment();
        childEnv.keySet().removeIf(k -> k.startsWith("TICKWIRE_"));
        childEnv.put("TICKWIRE_SERVER_PORT", "0");
        childEnv.put("TICKWIRE_SERVER_HOST", "127.0.0.1");
        childEnv.put("TICKWIRE_SERVER_IO_THREADS", "1");
        childEnv.put("TICKWIRE_AUTH_HMAC_SECRET", SECRET);
        childEnv.put("TICKWIRE_NODE_ID", name);
        childEnv.putAll(env);
        port = 0;
        process = pb.start();
        RUNNING.add(this);
        port = awaitListening();
        return this;
    }

    /**
     * The test JVM's class path: surefire's real one ({@code surefire.test.class.path}) when set, since surefire may
     * run the tests from a manifest-only jar that it deletes when the fork ends.
     */
    private static String classPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }

    private int awaitListening() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        long offset = 0;
        StringBuilder partial = new StringBuilder();
        while (System.nanoTime() < deadline) {
            try (RandomAccessFile f = new RandomAccessFile(logFile.toFile(), "r")) {
                if (f.length() > offset) {
                    f.seek(offset);
                    byte[] buf = new byte[(int) (f.length() - offset)];
                    f.readFully(buf);
                    offset += buf.length;
                    partial.append(new String(buf, StandardCharsets.UTF_8));
                    int nl;
                    while ((nl = partial.indexOf("\n")) >= 0) {
                        String line = partial.substring(0, nl);
                        partial.delete(0, nl + 1);
                        Matcher m = LISTENING.matcher(line);
                        if (m.find()) {
                            return Integer.parseInt(m.group(3));
                        }
                    }
                }
            }
            Process p = process;
            if (!p.isAlive()) {
                RUNNING.remove(this);
                throw new IllegalStateException("gateway " + name + " exited with " + p.exitValue() + ":\n" + logTail(40));
            }
            Thread.sleep(25);
        }
        kill9();
        throw new IllegalStateException("gateway " + name + " did not log 'listening on' within " + START_TIMEOUT
                + ":\n" + logTail(40));
    }

    public boolean alive() {
        Process p = process;
        return p != null && p.isAlive();
    }

    /** The port the node listens on (valid after {@link #start()}). */
    public int port() {
        if (port == 0) {
            throw new IllegalStateException(name + " is not started");
        }
        return port;
    }

    /** {@code ws://127.0.0.1:<port>/ws}. */
    public String wsUri() {
        return "ws://127.0.0.1:" + port() + "/ws";
    }

    /** {@code http://127.0.0.1:<port><path>}. */
    public URI httpUri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    /** The process id, e.g. for a report. */
    public long pid() {
        return process.pid();
    }

    /** SIGKILL, and waits for the process to be gone. */
    public synchronized void kill9() throws InterruptedException {
        Process p = process;
        if (p != null) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            RUNNING.remove(this);
        }
    }

    /** SIGTERM: the node drains and exits; waits up to {@code timeout}, then kills it. */
    public synchronized void stop(Duration timeout) throws InterruptedException {
        Process p = process;
        if (p != null) {
            p.destroy();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            RUNNING.remove(this);
        }
    }

    /** SIGTERM with a 45 s limit (a drain takes {@code drain.window-seconds}, 10 by default, when clients are on). */
    public void stop() throws InterruptedException {
        stop(Duration.ofSeconds(45));
    }

    /** Kills the node if it still runs. */
    @Override
    public void close() {
        try {
            kill9();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code GET <path>}; an I/O failure is an exception. */
    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return get(path, null);
    }

    /** {@code GET <path>} with {@code Authorization: Bearer <token>} (none if null). */
    public HttpResponse<String> get(String path, String token) throws IOException, InterruptedException {
        HttpRequest.Builder req = HttpRequest.newBuilder(httpUri(path)).timeout(Duration.ofSeconds(5)).GET();
        if (token != null) {
            req.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(req.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** {@code POST <path>} of a JSON {@code body} with {@code Authorization: Bearer <token>}. */
    public HttpResponse<String> post(String path, String token, String body) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(httpUri(path)).timeout(Duration.ofSeconds(5))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return HTTP.send(req, HttpResponse.BodyHandlers.ofString());
    }

    /** Polls {@code /health/ready} until it answers 200; fails with the last answer and the log's tail. */
    public void waitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!alive()) {
                throw new AssertionError("gateway " + name + " is not running:\n" + logTail(40));
            }
            try {
                HttpResponse<String> r = get("/health/ready");
                if (r.statusCode() == 200) {
                    return;
                }
                last = r.statusCode() + " " + r.body();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("gateway " + name + " not ready within " + timeout + " (" + last + "):\n" + logTail(40));
    }

    /** The last {@code lines} lines of the node's log, for failure messages. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | RuntimeException e) {
            return "(no log: " + e + ")";
        }
    }

    public Path logFile() {
        return logFile;
    }

    // Tokens, signed with SECRET (every node of a farm shares it).

    /** A token of {@code subject} granting {@code rooms}, valid for an hour. */
    public static String token(String subject, String... rooms) {
        return MINTER.mint(subject, List.of(rooms), "", System.currentTimeMillis() + 3_600_000);
    }

    /** A {@code tickwire:publish} token. */
    public static String publisherToken() {
        return MINTER.mint("farm-publisher", List.of(), "tickwire:publish", System.currentTimeMillis() + 3_600_000);
    }

    /** A {@code tickwire:admin} token. */
    public static String adminToken() {
        return MINTER.mint("farm-admin", List.of(), "tickwire:admin", System.currentTimeMillis() + 3_600_000);
    }

    @Override
    public String toString() {
        return name + (port != 0 ? "@" + port : "");
    }
}
