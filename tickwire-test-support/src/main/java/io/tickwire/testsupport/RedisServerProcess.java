package io.tickwire.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real {@code redis-server} as a child process, for a test class ({@code @RegisterExtension static}): started on a
 * free port of 127.0.0.1 before the class's tests, without persistence ({@code --save '' --appendonly no}), so that
 * {@link #stop()} then {@link #start()} gives what a restarted production Redis without persistence gives: the same
 * address, empty; {@link #pause()} and {@link #resume()} make it hang and go on. Ready when it answers {@code PING}.
 * Its output goes to {@code target/redis-logs/redis-<port>.log} (a file, so a full pipe never blocks it). Killed after the class, and by a shutdown hook if the JVM dies first.
 *
 * <p>The binary is {@code $TICKWIRE_REDIS_SERVER}, else {@code redis-server} on the {@code PATH}, else
 * {@code /usr/bin/redis-server}. Missing: the test fails under CI ({@code CI=true}) and is skipped elsewhere, with the
 * install hint.
 *
 * <p>Without the extension: {@link #start()} (the first call picks the port) and {@link #close()}.
 */
public final class RedisServerProcess implements BeforeAllCallback, AfterAllCallback, AutoCloseable {

    private static final long READY_TIMEOUT_MILLIS = 10_000;

    private final Path logDir = Paths.get("target", "redis-logs");
    private Path binary;
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

    /** Kills the server; for use without the extension ({@link #start()} in the test, this in a {@code finally}). */
    @Override
    public void close() {
        kill();
    }

    /** {@code redis://127.0.0.1:<port>}. */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public synchronized boolean running() {
        return process != null && process.isAlive();
    }

    /** Starts the server (again) on the same port, empty, and waits until it answers PING. */
    public synchronized void start() throws IOException, InterruptedException {
        if (running()) {
            throw new IllegalStateException("redis-server is already running on " + port);
        }
        if (binary == null) {
            binary = findBinary();
            port = ServerBinaries.freePort();
            Files.createDirectories(logDir);
        }
        File log = logDir.resolve("redis-" + port + ".log").toFile();
        ProcessBuilder pb = new ProcessBuilder(List.of(binary.toString(),
                "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--dir", logDir.toAbsolutePath().toString(), "--dbfilename", "unused-" + port + ".rdb"))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log));
        process = pb.start();
        if (shutdownHook == null) {
            shutdownHook = new Thread(this::kill, "redis-server-" + port + "-killer");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
        long deadline = System.currentTimeMillis() + READY_TIMEOUT_MILLIS;
        while (!ping()) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited with " + process.exitValue() + "; see " + log);
            }
            if (System.currentTimeMillis() > deadline) {
                kill();
                throw new IllegalStateException("redis-server did not answer PING on " + port + " within "
                        + READY_TIMEOUT_MILLIS + " ms; see " + log);
            }
            Thread.sleep(20);
        }
    }

    /** Stops the server (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. Its data is gone. */
    public synchronized void stop() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        process = null;
    }

    /** Freezes the server (SIGSTOP): connections stay open and nothing answers, as a hung or overloaded Redis. */
    public synchronized void pause() throws IOException, InterruptedException {
        signal("-STOP");
    }

    /** Lets a {@link #pause() paused} server go on (SIGCONT). */
    public synchronized void resume() throws IOException, InterruptedException {
        signal("-CONT");
    }

    private void signal(String signal) throws IOException, InterruptedException {
        if (process == null) {
            throw new IllegalStateException("redis-server is not running");
        }
        Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill " + signal + " " + process.pid() + " failed");
        }
    }

    /** Kills the server at once (SIGKILL), if running. */
    public synchronized void kill() {
        Process p = process;
        process = null;
        if (p != null) {
            p.destroyForcibly();
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** True if something on the port answers PING with PONG. */
    public boolean ping() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            s.setSoTimeout(500);
            OutputStream out = s.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[7];
            int n = in.readNBytes(buf, 0, 7);
            return n == 7 && new String(buf, StandardCharsets.US_ASCII).equals("+PONG\r\n");
        } catch (IOException e) {
            return false;
        }
    }

    /** The binary this class would run; aborts (or fails on CI) when there is none. */
    public static Path findBinary() {
        return ServerBinaries.find("TICKWIRE_REDIS_SERVER", "redis-server", Paths.get("/usr/bin/redis-server"),
                "redis-server not found (TICKWIRE_REDIS_SERVER, PATH, /usr/bin): "
                + "apt-get install redis-server, or set TICKWIRE_REDIS_SERVER");
    }
}
