package io.tickwire.bench.support;

import java.lang.management.ManagementFactory;

/**
 * This process's open files and its limit: every connection is one, and the machine may cap a process (here
 * at 20,000, a hard limit). A run checks before it starts that its connections fit, with {@link #RESERVE} left
 * for the JVM, the event loops, the HTTP clients and jcmd.
 */
public final class OpenFiles {

    /** Files kept free for everything but the connections. */
    public static final int RESERVE = 150;

    private OpenFiles() {}

    /** Open files of this process now, or -1 when the platform does not say. */
    public static long open() {
        return unix() == null ? -1 : unix().getOpenFileDescriptorCount();
    }

    /** The most files this process may open (the JVM raises the soft limit to the hard one), or -1. */
    public static long max() {
        return unix() == null ? -1 : unix().getMaxFileDescriptorCount();
    }

    /**
     * Null when {@code connections} more fit (with the reserve), else a message saying what does fit; when the
     * platform does not say, null.
     */
    public static String checkRoomFor(int connections) {
        return checkRoomFor(connections, open(), max());
    }

    static String checkRoomFor(int connections, long open, long max) {
        if (open < 0 || max < 0) {
            return null;
        }
        long room = max - open - RESERVE;
        if (connections <= room) {
            return null;
        }
        return connections + " connections need " + connections + " open files, and this process may open " + max
                + " (" + open + " open, " + RESERVE + " kept in reserve): at most " + Math.max(0, room)
                + " connections here; raise the limit (ulimit -n) or open fewer connections from this process";
    }

    private static com.sun.management.UnixOperatingSystemMXBean unix() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean u ? u : null;
    }
}
