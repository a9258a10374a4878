package io.tickwire.bench.support;

/**
 * The measured window in publisher time (epoch µs): events stamped inside it are counted and timed; those
 * of the warm-up are only checked. Set once, when publishing starts.
 */
public final class MeasureWindow {

    private volatile long startMicros = Long.MAX_VALUE;
    private volatile long endMicros = Long.MAX_VALUE;

    public void set(long startMicros, long endMicros) {
        this.endMicros = endMicros;
        this.startMicros = startMicros;
    }

    public boolean contains(long tMicros) {
        return tMicros >= startMicros && tMicros < endMicros;
    }

    public long startMicros() {
        return startMicros;
    }

    public long endMicros() {
        return endMicros;
    }
}
