package io.tickwire.bench.storm;

import io.netty.channel.Channel;
import io.tickwire.bench.client.RetryState;
import io.tickwire.bench.support.CounterCheck;

/**
 * One storm client: its room, its position in it ({@code seq}, {@code epoch}: what a real client resumes
 * from), its check of the publisher's counter, and its timings around the cut. Every field but the volatile
 * ones is touched by its event loop only; the run thread reads the rest after the loop published them through
 * {@link StormClients}' counters.
 */
final class StormClient {

    final int index;
    final int room;
    final String roomName;
    final String token;
    final RetryState retry = new RetryState();
    final CounterCheck check = new CounterCheck();

    volatile Channel channel;
    /** Last seq received in the room (event, or the seq of subscribed/reset), -1 before the first subscribe. */
    long seq = -1;
    String epoch;
    /** The attempt under way subscribed with resume. */
    boolean resumeSent;
    /** After a resume's subscribed: the room's seq then; caught up once {@link #seq} reaches it. */
    long target = -1;
    /** Subscribed and caught up: what arrives now is live. */
    boolean live;
    /** Cut by the bench and not yet resumed. */
    boolean awaitingResume;
    /** The current channel is being cut by the bench (its end is expected). */
    boolean cutting;
    boolean resumedOnce;
    long welcomedNanos;
    long resubscribedNanos;
    long resumedNanos;
    int attemptsAfterCut;
    /** The gateway of the next attempt (index into the dialer's targets). */
    int node;
    boolean gaveUp;
    volatile String failure;

    StormClient(int index, int room, String roomName, String token) {
        this.index = index;
        this.room = room;
        this.roomName = roomName;
        this.token = token;
    }

    /** The subscribe to send after {@code welcome}: with {@code resume} once the client has a position. */
    String subscribeFrame() {
        resumeSent = seq >= 0 && epoch != null;
        StringBuilder op = new StringBuilder(96).append("{\"op\":\"subscribe\",\"id\":1,\"rooms\":[\"").append(roomName).append("\"]");
        if (resumeSent) {
            op.append(",\"resume\":{\"").append(roomName).append("\":{\"seq\":").append(seq).append(",\"epoch\":\"")
                    .append(epoch).append("\"}}");
        }
        return op.append('}').toString();
    }
}
