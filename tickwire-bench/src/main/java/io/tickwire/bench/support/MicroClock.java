package io.tickwire.bench.support;

/**
 * Epoch microseconds from one base taken at start-up plus {@link System#nanoTime()} since: consistent
 * across the threads of one JVM (the publisher stamps, the event loops subtract), unlike
 * {@code currentTimeMillis}, which has millisecond grain and may step.
 */
public final class MicroClock {

    private static final long BASE_MICROS = System.currentTimeMillis() * 1000;
    private static final long BASE_NANOS = System.nanoTime();

    private MicroClock() {}

    public static long nowMicros() {
        return BASE_MICROS + (System.nanoTime() - BASE_NANOS) / 1000;
    }
}
