package io.tickwire.bench.gateway;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code jcmd} against the gateway's JVM: found beside the {@code java} the gateway runs (so the versions
 * match), else in {@code $JAVA_HOME/bin}, else beside the bench's own {@code java}.
 */
public final class Jcmd {

    private final Path executable;
    private final long pid;

    private Jcmd(Path executable, long pid) {
        this.executable = executable;
        this.pid = pid;
    }

    /** The jcmd for process {@code pid}, or an exception naming where it was looked for. */
    public static Jcmd forPid(long pid) {
        List<Path> candidates = new ArrayList<>();
        ProcessHandle.of(pid).flatMap(p -> p.info().command()).map(Path::of)
                .map(java -> java.resolveSibling("jcmd")).ifPresent(candidates::add);
        Optional.ofNullable(System.getenv("JAVA_HOME")).map(home -> Path.of(home, "bin", "jcmd")).ifPresent(candidates::add);
        candidates.add(Path.of(System.getProperty("java.home"), "bin", "jcmd"));
        for (Path c : candidates) {
            if (Files.isExecutable(c)) {
                return new Jcmd(c, pid);
            }
        }
        throw new IllegalStateException("jcmd not found (looked at " + candidates + "); is pid " + pid + " a running JVM?");
    }

    public Path executable() {
        return executable;
    }

    /** Runs {@code jcmd <pid> <command>}; returns its output, or throws with it when the command fails. */
    public String run(String command, long timeoutSeconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(executable.toString(), Long.toString(pid), command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes(); // jcmd's output is small; it ends when jcmd exits
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("jcmd " + pid + " " + command + " took longer than " + timeoutSeconds + " s");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException("jcmd " + pid + " " + command + " failed (" + p.exitValue() + "): " + text.strip());
        }
        return text;
    }
}
