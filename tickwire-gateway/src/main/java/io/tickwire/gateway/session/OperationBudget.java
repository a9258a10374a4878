package io.tickwire.gateway.session;

/**
 * A connection's allowance of client operations: a token bucket refilled at {@code ws.max-ops-per-second}
 * up to {@code ws.max-ops-burst}. Past it an operation is refused ({@code rate_limited}); a connection
 * that goes on sending a further burst's worth without a single operation accepted is flooding, and is
 * closed (4029). One per connection, used on its event loop only.
 */
final class OperationBudget {

    enum Verdict { ACCEPT, REFUSE, CLOSE }

    private final double perNano;
    private final int burst;
    private double tokens;
    private long lastNanos;
    private int refusedInARow;

    OperationBudget(int perSecond, int burst, long nowNanos) {
        this.perNano = perSecond / 1e9;
        this.burst = burst;
        this.tokens = burst;
        this.lastNanos = nowNanos;
    }

    Verdict take(long nowNanos) {
        tokens = Math.min(burst, tokens + (nowNanos - lastNanos) * perNano);
        lastNanos = nowNanos;
        if (tokens >= 1) {
            tokens -= 1;
            refusedInARow = 0;
            return Verdict.ACCEPT;
        }
        return ++refusedInARow > burst ? Verdict.CLOSE : Verdict.REFUSE;
    }
}
