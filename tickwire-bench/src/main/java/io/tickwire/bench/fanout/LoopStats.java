package io.tickwire.bench.fanout;

import org.HdrHistogram.Histogram;

/** What one event-loop thread measured: its own histogram and counts, so the hot path takes no lock. */
final class LoopStats {

    /** Latencies in microseconds, up to 10 minutes, three significant digits. */
    final Histogram latencyMicros = new Histogram(600_000_000L, 3);
    long deliveredInWindow;
}
