package io.tickwire.bench.fanout;

/**
 * The measured window in publisher time (epoch µs): events stamped inside it are counted and timed; those
 * of the warm-up are only checked. Set once, when publishing starts.
 */
final class MeasureWindow {

    private volatile long startMicros = Long.MAX_VALUE;
    private volatile long endMicros = Long.MAX_VALUE;

    void set(long startMicros, long endMicros) {
        this.endMicros = endMicros;
        this.startMicros = startMicros;
    }

    boolean contains(long tMicros) {
        return tMicros >= startMicros && tMicros < endMicros;
    }

    long startMicros() {
        return startMicros;
    }

    long endMicros() {
        return endMicros;
    }
}
