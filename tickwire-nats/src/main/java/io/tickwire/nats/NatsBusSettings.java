package io.tickwire.nats;

import io.tickwire.gateway.config.GatewayConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link NatsEventBus} needs to know, as plain values (the later {@code bus.nats.*} keys), so that it
 * can be built without the gateway's config loader.
 *
 * @param urls NATS servers, {@code nats://host:port}
 * @param subjectPrefix subjects are {@code <subjectPrefix>.<kind>.<escaped key>} ({@link SubjectCodec})
 * @param streamPrefix kind {@code price} is stream {@code <streamPrefix>PRICE}
 * @param kinds the room kinds' policies, by kind name: each gets its stream and retention
 * @param dedupWindowSeconds how long JetStream remembers a {@code msg_id}; clamped to a reliable kind's
 *     {@code history-seconds}, which the server requires
 * @param maxEventBytes largest {@code data} accepted from the bus; larger messages are skipped
 * @param historyConcurrency most JetStream reads ({@code position}, {@code latest}, {@code readAfter}) in flight
 * @param historyQueue reads waiting beyond this fail at once with {@code BusUnavailableException}
 * @param requestTimeout bound on one JetStream request, a publish's acknowledgement, and a {@code position}
 *     waiting for the live stream to catch up
 * @param warmupEvents a reliable stream's consumer starts this many messages back from the stream's end
 */
public record NatsBusSettings(
        List<String> urls,
        String subjectPrefix,
        String streamPrefix,
        Map<String, GatewayConfig.Kind> kinds,
        long dedupWindowSeconds,
        int maxEventBytes,
        int historyConcurrency,
        int historyQueue,
        Duration requestTimeout,
        int warmupEvents) {

    public static final String DEFAULT_SUBJECT_PREFIX = "tickwire";
    public static final String DEFAULT_STREAM_PREFIX = "TICKWIRE_";
    public static final long DEFAULT_DEDUP_WINDOW_SECONDS = 300;
    public static final int DEFAULT_MAX_EVENT_BYTES = 65536;
    public static final int DEFAULT_HISTORY_CONCURRENCY = 8;
    public static final int DEFAULT_HISTORY_QUEUE = 10_000;
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(2);
    public static final int DEFAULT_WARMUP_EVENTS = 10_000;

    public NatsBusSettings {
        urls = List.copyOf(urls);
        kinds = Map.copyOf(kinds);
        Objects.requireNonNull(subjectPrefix, "subjectPrefix");
        Objects.requireNonNull(streamPrefix, "streamPrefix");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("urls must name at least one server");
        }
        if (kinds.isEmpty()) {
            throw new IllegalArgumentException("kinds must not be empty");
        }
        if (!streamPrefix.chars().allMatch(c -> c > ' ' && c < 127 && c != '.' && c != '*' && c != '>')) {
            throw new IllegalArgumentException("streamPrefix may not contain '.', '*', '>' or whitespace: " + streamPrefix);
        }
        if (dedupWindowSeconds < 1 || maxEventBytes < 1 || historyConcurrency < 1 || historyQueue < 1
                || warmupEvents < 0 || requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("dedupWindowSeconds, maxEventBytes, historyConcurrency, historyQueue and "
                    + "requestTimeout must be positive, warmupEvents not negative");
        }
    }

    /** The defaults for everything but the servers and the kinds. */
    public static NatsBusSettings of(List<String> urls, Map<String, GatewayConfig.Kind> kinds) {
        return new NatsBusSettings(urls, DEFAULT_SUBJECT_PREFIX, DEFAULT_STREAM_PREFIX, kinds, DEFAULT_DEDUP_WINDOW_SECONDS,
                DEFAULT_MAX_EVENT_BYTES, DEFAULT_HISTORY_CONCURRENCY, DEFAULT_HISTORY_QUEUE, DEFAULT_REQUEST_TIMEOUT,
                DEFAULT_WARMUP_EVENTS);
    }

    public NatsBusSettings withPrefixes(String subjectPrefix, String streamPrefix) {
        return new NatsBusSettings(urls, subjectPrefix, streamPrefix, kinds, dedupWindowSeconds, maxEventBytes,
                historyConcurrency, historyQueue, requestTimeout, warmupEvents);
    }

    public NatsBusSettings withHistoryLimits(int historyConcurrency, int historyQueue) {
        return new NatsBusSettings(urls, subjectPrefix, streamPrefix, kinds, dedupWindowSeconds, maxEventBytes,
                historyConcurrency, historyQueue, requestTimeout, warmupEvents);
    }

    /** The stream of {@code kind}: {@code <streamPrefix><KIND>}. */
    public String streamName(String kind) {
        return streamPrefix + kind.toUpperCase(java.util.Locale.ROOT);
    }
}
