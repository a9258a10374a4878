package io.tickwire.nats;

import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import io.tickwire.gateway.config.GatewayConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One stream per room kind, created if absent with retention from the kind's policy, and the epoch derived
 * from the stream's identity.
 *
 * <p>Retention: a reliable kind keeps {@code history-events} messages per subject (room) for at most
 * {@code history-seconds} (0 = no age limit); a conflate kind keeps the latest message per subject. File
 * storage, discard old, direct get allowed. The duplicate window is the bus's, clamped to the age limit,
 * because the server refuses a window longer than {@code max_age}.
 */
final class StreamSetup {

    private static final Logger log = LoggerFactory.getLogger(StreamSetup.class);

    /** JetStream API error codes (server {@code errors.json}). */
    static final int STREAM_NOT_FOUND = 10059;
    static final int STREAM_NAME_IN_USE = 10058;
    static final int NO_MESSAGE_FOUND = 10037;

    private StreamSetup() {}

    static StreamConfiguration configFor(String stream, String subjectFilter, GatewayConfig.Kind kind,
                                         long dedupWindowSeconds, int maxEventBytes) {
        boolean reliable = kind.delivery() == GatewayConfig.Delivery.RELIABLE;
        long maxAgeSeconds = reliable ? kind.historySeconds() : 0;
        long window = maxAgeSeconds > 0 ? Math.min(dedupWindowSeconds, maxAgeSeconds) : dedupWindowSeconds;
        return StreamConfiguration.builder()
                .name(stream)
                .subjects(subjectFilter)
                .storageType(StorageType.File)
                .retentionPolicy(RetentionPolicy.Limits)
                .discardPolicy(DiscardPolicy.Old)
                .maxMessagesPerSubject(reliable ? kind.historyEvents() : 1)
                .maxAge(Duration.ofSeconds(maxAgeSeconds))
                .duplicateWindow(Duration.ofSeconds(window))
                .maximumMessageSize(maxEventBytes + 1024)
                .replicas(1)
                .allowDirect(true)
                .build();
    }

    /**
     * The stream's info, creating the stream if it does not exist. An existing stream is used as it is: a
     * retention that differs from the kind's policy is logged, never changed here.
     */
    static StreamInfo ensure(JetStreamManagement jsm, StreamConfiguration wanted) throws IOException, JetStreamApiException {
        StreamInfo info = infoOrNull(jsm, wanted.getName());
        if (info == null) {
            try {
                info = jsm.addStream(wanted);
                log.info("created stream {} for {}", wanted.getName(), wanted.getSubjects());
            } catch (JetStreamApiException e) {
                if (e.getApiErrorCode() != STREAM_NAME_IN_USE) {
                    throw e;
                }
                info = jsm.getStreamInfo(wanted.getName()); // another node created it first
            }
        }
        StreamConfiguration has = info.getConfiguration();
        if (has.getMaxMsgsPerSubject() != wanted.getMaxMsgsPerSubject() || !has.getMaxAge().equals(wanted.getMaxAge())
                || !has.getSubjects().equals(wanted.getSubjects()) || !has.getAllowDirect()) {
            log.warn("stream {} differs from the kind's policy (subjects {}, max msgs per subject {}, max age {}, allow direct {});"
                            + " using it as it is", has.getName(), has.getSubjects(), has.getMaxMsgsPerSubject(), has.getMaxAge(),
                    has.getAllowDirect());
        }
        return info;
    }

    /** The stream's info, or null if it does not exist. */
    static StreamInfo infoOrNull(JetStreamManagement jsm, String stream) throws IOException, JetStreamApiException {
        try {
            return jsm.getStreamInfo(stream);
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() == STREAM_NOT_FOUND) {
                return null;
            }
            throw e;
        }
    }

    /**
     * {@code n-} and 12 hex digits of SHA-256 over the stream's name and creation time. Every node reads the same
     * identity, so every node names the same history; a recreated stream (or a lost store) gets another epoch,
     * a server restarted on the same store keeps it.
     */
    static String epoch(StreamInfo info) {
        String identity = info.getConfiguration().getName() + "|" + info.getCreateTime().toInstant();
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
            return "n-" + HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
