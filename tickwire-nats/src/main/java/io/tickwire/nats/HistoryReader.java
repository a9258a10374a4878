package io.tickwire.nats;

import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.StreamInfoOptions;
import io.nats.client.api.StreamState;
import io.nats.client.api.Subject;
import io.tickwire.gateway.bus.BusEvent;
import io.tickwire.gateway.bus.EventBus;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Blocking reads of one room's stored messages, with the server features of nats-server 2.9 (direct get of the
 * last, or the next message at or after a sequence, of one subject; no batched get). {@link NatsEventBus} runs
 * them on its bounded history pool.
 */
final class HistoryReader {

    private final JetStreamManagement jsm;
    private final SubjectCodec codec;
    private final int maxEventBytes;

    HistoryReader(JetStreamManagement jsm, SubjectCodec codec, int maxEventBytes) {
        this.jsm = jsm;
        this.codec = codec;
        this.maxEventBytes = maxEventBytes;
    }

    /** The subject's newest stored message, or null. */
    MessageInfo last(String stream, String subject) throws IOException, JetStreamApiException {
        try {
            return jsm.getLastMessage(stream, subject);
        } catch (JetStreamApiException e) {
            return nullIfNotFound(e);
        }
    }

    /** The subject's first stored message with a sequence of {@code seq} or more, or null. */
    MessageInfo next(String stream, String subject, long seq) throws IOException, JetStreamApiException {
        try {
            return jsm.getNextMessage(stream, seq, subject);
        } catch (JetStreamApiException e) {
            return nullIfNotFound(e);
        }
    }

    /** The stream's last sequence (0 when it never stored anything). */
    long streamLastSeq(String stream) throws IOException, JetStreamApiException {
        return jsm.getStreamInfo(stream).getStreamState().getLastSequence();
    }

    /** The event a stored message is, or null if it is not one (bad subject or data). */
    BusEvent toEvent(MessageInfo m, String epoch) {
        String room = codec.room(m.getSubject());
        byte[] data = m.getData();
        if (room == null || !EventData.acceptable(data, maxEventBytes)) {
            return null;
        }
        return new BusEvent(room, m.getSeq(), epoch, m.getTime().toInstant().toEpochMilli(), data);
    }

    /**
     * Up to {@code max} events of the room after {@code after}, whether they continue {@code after} without a
     * gap, and how many are stored after it. See {@link #complete} for the gap test, which runs after the page
     * is read: retention only ever takes away, so a test that passes afterwards held while the page was read.
     *
     * @param historyEvents the kind's per-room limit: decides how exact {@code storedAfter} needs to be
     */
    EventBus.HistoryRead readAfter(String stream, String room, String epoch, long after, int max, long historyEvents,
                                   long maxPerSubject) throws IOException, JetStreamApiException {
        String subject = codec.subject(room);
        MessageInfo last = last(stream, subject);
        long latestSeq = last == null ? 0 : last.getSeq();
        if (after >= latestSeq) {
            return new EventBus.HistoryRead(epoch, List.of(), true, latestSeq, 0);
        }
        List<BusEvent> page = new ArrayList<>(Math.min(max, 64));
        long cursor = after;
        boolean more = true;
        while (page.size() < max) {
            MessageInfo m = next(stream, subject, cursor + 1);
            if (m == null || m.getSeq() > latestSeq) {
                more = false;
                break;
            }
            cursor = m.getSeq();
            BusEvent e = toEvent(m, epoch);
            if (e != null) {
                page.add(e);
            }
        }
        boolean complete = complete(stream, subject, after, maxPerSubject);
        long storedAfter;
        if (!more) {
            storedAfter = page.size();
        } else if (2L * max > historyEvents) {
            storedAfter = max; // at least max: enough for the caller's "more than half the history" rule
        } else {
            storedAfter = countAfter(stream, subject, after);
        }
        return new EventBus.HistoryRead(epoch, List.copyOf(page), complete, latestSeq, storedAfter);
    }

    /**
     * True if no message of {@code subject} after {@code after} was ever discarded. Retention takes a subject's
     * messages oldest first (per-subject limit, age, discard old), so:
     * <ul>
     * <li>a stored message of the subject at or below {@code after} proves it;
     * <li>else, if the stream's first stored sequence is at most {@code after + 1}, age and stream limits took
     *     nothing after {@code after}; and the per-subject limit took nothing from the subject if the stream has no
     *     interior gap at all, or if the subject holds fewer messages than the limit (once the limit took one of
     *     its messages after {@code after}, only age could lower its count again, and age would have moved the
     *     stream's first sequence past {@code after}).
     * </ul>
     * Anything else is reported as a gap: conservative (a reset too many), never lossy.
     */
    boolean complete(String stream, String subject, long after, long maxPerSubject) throws IOException, JetStreamApiException {
        MessageInfo first = next(stream, subject, 1);
        if (first != null && first.getSeq() <= after) {
            return true;
        }
        StreamState state = jsm.getStreamInfo(stream, StreamInfoOptions.filterSubjects(subject)).getStreamState();
        if (state.getFirstSequence() > after + 1) {
            return false;
        }
        if (state.getDeletedCount() == 0) {
            return true;
        }
        long count = 0;
        List<Subject> subjects = state.getSubjects();
        if (subjects != null) {
            for (Subject s : subjects) {
                if (s.getName().equals(subject)) {
                    count = s.getCount();
                }
            }
        }
        return maxPerSubject > 0 && count < maxPerSubject;
    }

    /**
     * Exactly how many messages of the subject are stored after {@code after}: the pending count of a short-lived
     * consumer (nats-server 2.9 has no counting get), deleted at once, and by the server after 5 s if we cannot.
     */
    long countAfter(String stream, String subject, long after) throws IOException, JetStreamApiException {
        ConsumerConfiguration cc = ConsumerConfiguration.builder()
                .filterSubject(subject)
                .deliverPolicy(DeliverPolicy.ByStartSequence)
                .startSequence(after + 1)
                .ackPolicy(AckPolicy.Explicit)
                .memStorage(true)
                .numReplicas(1)
                .inactiveThreshold(Duration.ofSeconds(5))
                .build();
        ConsumerInfo ci = jsm.addOrUpdateConsumer(stream, cc);
        try {
            return ci.getNumPending();
        } finally {
            try {
                jsm.deleteConsumer(stream, ci.getName());
            } catch (IOException | JetStreamApiException | RuntimeException ignored) {
                // the inactive threshold removes it
            }
        }
    }

    static boolean notFound(JetStreamApiException e) {
        return e.getApiErrorCode() == StreamSetup.NO_MESSAGE_FOUND
                || (e.getErrorCode() == 404 && e.getApiErrorCode() != StreamSetup.STREAM_NOT_FOUND);
    }

    private static MessageInfo nullIfNotFound(JetStreamApiException e) throws JetStreamApiException {
        if (notFound(e)) {
            return null;
        }
        throw e;
    }
}
