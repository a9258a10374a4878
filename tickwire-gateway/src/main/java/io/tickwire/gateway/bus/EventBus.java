package io.tickwire.gateway.bus;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Where events come from and where history lives: the contract between the gateway and its event bus.
 *
 * <p>The bus, not the gateway, assigns each event its {@code seq} and names the history it counts in
 * (the {@code epoch}), so every node of a farm gives the same event the same number. Sequence numbers
 * strictly increase within a room and epoch but need not be contiguous: no caller may infer loss from
 * a gap. Every method is asynchronous and none may block the caller's thread for I/O.
 */
public interface EventBus extends AutoCloseable {

    /**
     * Publishes one event. {@code data} is a complete, already validated JSON value; the bus stores it
     * as opaque bytes. With a non-null {@code msgId}, a publish repeated within the deduplication window
     * stores nothing and completes with the original result.
     *
     * @return the stored event's room, seq and epoch; completes exceptionally with
     *     {@link BusUnavailableException} when the bus cannot take events right now
     */
    CompletionStage<PublishResult> publish(String room, byte[] data, String msgId);

    /**
     * Starts delivering every event published from now on to {@code sink}: per room in {@code seq} order,
     * one room's events never concurrently. May be called once.
     */
    void start(EventSink sink);

    /**
     * The room's history position: its epoch and latest {@code seq} (where its numbering will start, 0 or
     * more, if it has no stored event). Must be consistent with the sink: any event the sink receives
     * after this stage completes has a higher {@code seq}, or another epoch. A node relies on this to know
     * that its ring, fed by the sink from before the call, holds everything after the reported position.
     */
    CompletionStage<RoomPosition> position(String room);

    /**
     * Reads up to {@code max} stored events of {@code room} with {@code seq > afterSeq}, oldest first.
     * {@link HistoryRead#complete()} is false when events after {@code afterSeq} were already discarded,
     * i.e. the read cannot continue the sequence without a gap.
     */
    CompletionStage<HistoryRead> readAfter(String room, long afterSeq, int max);

    /** The room's latest event, or null when it has none. */
    CompletionStage<BusEvent> latest(String room);

    /**
     * True while the bus can serve this node: connected, and its live stream caught up with where it stood when
     * the node started (or reconnected). The node reports not ready ({@code /health/ready} 503) otherwise; its
     * WebSocket connections stay open.
     */
    default boolean ready() {
        return true;
    }

    /**
     * True when reading history leaves the process (a request to JetStream): the node then also holds rooms nobody
     * subscribed to here from the live stream, so that clients moving here from a failed node resume from memory.
     */
    default boolean remoteHistory() {
        return false;
    }

    /** One word for {@code /health/ready}'s detail: {@code ok}, or why the bus is not ready. */
    default String state() {
        return ready() ? "ok" : "unavailable";
    }

    @Override
    void close();

    /** Receives the bus's live stream. Called on the bus's threads; must not block. */
    @FunctionalInterface
    interface EventSink {
        void onEvent(BusEvent event);

        /**
         * Events of {@code kind} with a {@code seq} up to {@code upToSeq} in {@code epoch} may be missing from the
         * live stream: the bus discarded them before this node received them (it fell behind, or was cut off, by
         * more than a room's retention), and cannot tell which rooms they were in. The node's rooms of the kind
         * must stop claiming to cover anything up to it, so that subscribers read what they missed from the bus's
         * history (or get {@code reset} when it is gone). Called before the next event of the kind.
         */
        default void onGap(String kind, String epoch, long upToSeq) {}
    }

    /** Result of a publish. {@code duplicate} is true when {@code msgId} matched an earlier publish. */
    record PublishResult(String room, long seq, String epoch, boolean duplicate) {}

    /** A room's history position. */
    record RoomPosition(String epoch, long latestSeq) {}

    /**
     * A page of history. {@code complete} is false when the requested start was no longer stored;
     * {@code storedAfter} counts every stored event after it, not only this page's.
     */
    record HistoryRead(String epoch, List<BusEvent> events, boolean complete, long latestSeq, long storedAfter) {}
}
