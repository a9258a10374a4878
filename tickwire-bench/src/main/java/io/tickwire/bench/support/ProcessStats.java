package io.tickwire.bench.support;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time and memory of a process read from Linux's {@code /proc}: the gateway's, by pid. The bench's own
 * CPU comes from {@link #ownCpuNanos()}.
 */
public final class ProcessStats {

    /** USER_HZ: the unit of utime and stime in /proc/[pid]/stat; 100 on every Linux this runs on. */
    private static final double CLOCK_TICKS_PER_SECOND = 100.0;

    private final long pid;

    public ProcessStats(long pid) {
        this.pid = pid;
    }

    /** utime + stime of the process, in seconds. */
    public double cpuSeconds() throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        // the command name (field 2) may hold spaces: count fields after its closing parenthesis
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        long utime = Long.parseLong(f[11]); // field 14
        long stime = Long.parseLong(f[12]); // field 15
        return (utime + stime) / CLOCK_TICKS_PER_SECOND;
    }

    /** A field of /proc/[pid]/status in kB ({@code VmHWM}, {@code VmRSS}), or -1. */
    public long statusKb(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").trim());
            }
        }
        return -1;
    }

    /** CPU time of this JVM, in nanoseconds. */
    public static long ownCpuNanos() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime();
        }
        return ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos()).orElse(-1L);
    }
}
