package io.tickwire.bench.client;

import java.util.random.RandomGenerator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a bench client does when a connection or attempt ends, following the contract's close-code table
 * (protocol §6) and upgrade refusals (§1) as the Java client library's {@code ReconnectPolicy} does: stop, or
 * reconnect after a delay. One difference: a bench cannot fetch a better token, so 401, 403, 4001 and 4003
 * stop it (the secret or the grants are wrong) rather than retry for ever.
 */
public final class RetryPolicy {

    /** {@link #delayMillis}'s answer for "do not reconnect". */
    public static final long STOP = -1;

    static final int NORMAL = 1000;
    static final int SERVICE_RESTART = 1012;
    static final int TRY_AGAIN_LATER = 1013;
    static final int UNAUTHORIZED = 4001;
    static final int FORBIDDEN = 4003;
    static final int SLOW_CONSUMER = 4008;

    private static final int JITTER_MILLIS = 1000;
    private static final Pattern RETRY_AFTER_REASON = Pattern.compile("retry after (\\d+) ?s");

    private final Backoff backoff;

    public RetryPolicy(Backoff backoff) {
        this.backoff = backoff;
    }

    public Backoff backoff() {
        return backoff;
    }

    /** The delay before reconnecting after {@code end}, or {@link #STOP}; updates the client's streak. */
    public long delayMillis(WsEnd end, RetryState state, RandomGenerator random) {
        if (end.refused()) {
            state.slowConsumerCloses = 0;
            return switch (end.httpStatus()) {
                case 429, 503 -> Math.max(end.retryAfterMillis(), backoff(state, random));
                case 401, 403, 404 -> STOP; // wrong secret, grants or path: retrying cannot help a bench
                default -> backoff(state, random);
            };
        }
        int code = end.closeCode();
        if (code != SLOW_CONSUMER) {
            state.slowConsumerCloses = 0;
        }
        return switch (code) {
            case NORMAL, FORBIDDEN, UNAUTHORIZED, 1003, 1007, 1009 -> STOP;
            case SERVICE_RESTART -> random.nextInt(JITTER_MILLIS + 1); // the drain already spread the closes
            case SLOW_CONSUMER -> ++state.slowConsumerCloses <= 2 ? random.nextInt(JITTER_MILLIS + 1) : backoff(state, random);
            case TRY_AGAIN_LATER -> Math.max(retryAfterMillis(end.reason()), backoff(state, random));
            default -> backoff(state, random); // lost (1006: a cut, a reset), 1001, 1011, 4000, 4029
        };
    }

    private long backoff(RetryState state, RandomGenerator random) {
        return backoff.delayMillis(state.failures++, random);
    }

    /** The delay a 1013's reason text asks for ("retry after 1 s"), else 0. */
    static long retryAfterMillis(String reason) {
        Matcher m = RETRY_AFTER_REASON.matcher(reason == null ? "" : reason);
        return m.find() ? Long.parseLong(m.group(1)) * 1000 : 0;
    }

    /** A {@code Retry-After} header in seconds (the gateway's form), as milliseconds; 0 if absent or a date. */
    public static long retryAfterHeaderMillis(String value) {
        try {
            return value == null ? 0 : Math.max(0, Long.parseLong(value.trim())) * 1000;
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
