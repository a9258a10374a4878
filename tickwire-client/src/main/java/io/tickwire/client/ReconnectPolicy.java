package io.tickwire.client;

import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The contract's close-code table (protocol §6) and upgrade refusals (§1) turned into the client's next step:
 * stop, or reconnect after a delay. The only place close codes are interpreted.
 */
final class ReconnectPolicy {

    static final int NORMAL = 1000;
    static final int SERVICE_RESTART = 1012;
    static final int TRY_AGAIN_LATER = 1013;
    static final int UNAUTHORIZED = 4001;
    static final int FORBIDDEN = 4003;
    static final int SLOW_CONSUMER = 4008;

    private static final int JITTER_MILLIS = 1000;
    private static final Pattern RETRY_AFTER_REASON = Pattern.compile("retry after (\\d+) ?s");

    /** Stop for good, or reconnect after {@code delayMillis}. */
    record Decision(boolean stop, long delayMillis) {
        static Decision stopNow() {
            return new Decision(true, 0);
        }

        static Decision retryIn(long millis) {
            return new Decision(false, millis);
        }
    }

    private final Backoff backoff;
    private final Random random;
    private int failures; // consecutive attempts or connections ended without a welcome in between
    private int slowConsumerCloses; // consecutive connections closed with 4008

    ReconnectPolicy(Backoff backoff, Random random) {
        this.backoff = backoff;
        this.random = random;
    }

    /** A connection reached {@code welcome}: the backoff starts over. */
    void connected() {
        failures = 0;
    }

    Decision next(ConnectionEnd end) {
        if (end.httpStatus() != 0) {
            slowConsumerCloses = 0;
            return switch (end.httpStatus()) {
                // The token is refused: every attempt asks the supplier for a fresh one; back off meanwhile.
                case 401 -> Decision.retryIn(backoff());
                // Forbidden (origin or user not allowed): what a browser is told with 4003, and as final.
                case 403 -> Decision.stopNow();
                case 429, 503 -> Decision.retryIn(Math.max(end.retryAfterMillis(), backoff()));
                default -> Decision.retryIn(backoff());
            };
        }
        int code = end.closeCode();
        if (code != SLOW_CONSUMER) {
            slowConsumerCloses = 0;
        }
        return switch (code) {
            case NORMAL, FORBIDDEN -> Decision.stopNow();
            // The drain already spread the closes: come back at once, with a little jitter.
            case SERVICE_RESTART -> Decision.retryIn(jitter());
            case SLOW_CONSUMER -> ++slowConsumerCloses <= 2 ? Decision.retryIn(jitter()) : Decision.retryIn(backoff());
            // A fresh token (every attempt asks the supplier) fixes an expired one: retry at once the first time.
            case UNAUTHORIZED -> Decision.retryIn(failures++ == 0 ? 0 : backoff.delayMillis(failures - 1));
            case TRY_AGAIN_LATER -> Decision.retryIn(Math.max(retryAfter(end.reason()), backoff()));
            default -> Decision.retryIn(backoff()); // 1001, 1011, 4000, 4029, lost, and codes a client cannot fix by itself
        };
    }

    private long backoff() {
        return backoff.delayMillis(failures++);
    }

    private long jitter() {
        return random.nextInt(JITTER_MILLIS + 1);
    }

    /** The delay a 1013's reason text asks for ("retry after 1 s"), else 0. */
    static long retryAfter(String reason) {
        Matcher m = RETRY_AFTER_REASON.matcher(reason == null ? "" : reason);
        return m.find() ? Long.parseLong(m.group(1)) * 1000 : 0;
    }
}
