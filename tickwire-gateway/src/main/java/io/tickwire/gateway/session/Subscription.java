package io.tickwire.gateway.session;

import io.tickwire.gateway.bus.BusEvent;
import io.tickwire.gateway.bus.EventBus;
import io.tickwire.gateway.config.GatewayConfig;
import io.tickwire.gateway.metrics.GatewayMetrics;
import io.tickwire.gateway.metrics.GatewayMetrics.ResumeOutcome;
import io.tickwire.gateway.room.EncodedEvent;
import io.tickwire.gateway.room.Room;
import io.tickwire.gateway.room.RoomSubscriber;
import io.tickwire.protocol.ClientOp;
import io.tickwire.protocol.CloseCode;
import io.tickwire.protocol.ServerMessages;

/**
 * One connection's subscription to one room, and the whole of its delivery policy. Runs on the
 * connection's event loop.
 *
 * <p>A subscription is {@code LIVE} (it writes each live event as it comes) or {@code CATCHING_UP} (a
 * cursor walks the room's ring, or the bus's history when the ring is too short, writing while the
 * channel is writable and waiting for writability otherwise; when nothing is left it turns live). Live
 * events that arrive while catching up are left to the cursor, and an event whose {@code seq} is not above
 * the last one sent is never written, so the switch has no gap and no duplicate. A reliable subscription
 * whose connection cannot take a live event within its budget starts catching up; only when the history
 * it needs is gone does the connection close with 4008. A conflate subscription instead keeps the newest
 * unsent state and writes it once the channel drains.
 */
final class Subscription implements RoomSubscriber {

    /** Events read from the bus per history request. */
    static final int HISTORY_PAGE = 256;

    private enum State { STARTING, LIVE, CATCHING_UP, ENDED }

    private final Session session;
    private final Room room;
    private State state = State.STARTING;
    private String epoch;
    private long lastSent;
    private EncodedEvent pendingState; // conflate: newest state not yet written
    private boolean resuming; // replaying a client's resume, until live: no early 4008
    private boolean replayed; // this resume has written an event: a history gap now means 4008, not reset
    private boolean loopBehind; // catching up because the event loop fell behind, not this client
    private boolean readInFlight;

    Subscription(Session session, Room room) {
        this.session = session;
        this.room = room;
    }

    Room room() {
        return room;
    }

    /**
     * Sends {@code subscribed} and what must follow it (contract §5): a {@code reset}, the snapshot, or the
     * replay of a resume.
     */
    void start(String rawId, ClientOp.ResumePoint resume) {
        if (state != State.STARTING) {
            return;
        }
        Room.Position pos = room.position();
        try {
            epoch = pos.epoch();
            long s = pos.seq();
            session.send(ServerMessages.subscribed(session.json(), rawId, room.name(),
                    room.conflate() ? "conflate" : "reliable", s, epoch));
            if (state == State.ENDED) {
                return; // the session closed meanwhile
            }
            lastSent = s;
            state = State.LIVE;
            if (room.conflate()) {
                EncodedEvent latest = pos.latest();
                boolean clientHasIt = resume != null && latest != null && resume.epoch().equals(epoch)
                        && resume.seq() >= latest.seq();
                if (resume != null) {
                    metrics().resumed(latest != null && !clientHasIt ? ResumeOutcome.REPLAYED : ResumeOutcome.UP_TO_DATE);
                }
                if (latest != null && !clientHasIt) {
                    byte[] data = latest.dataCopy();
                    session.send(ServerMessages.snapshot(session.json(), room.name(), latest.seq(), data, 0, data.length));
                    session.loopMetrics().eventDelivered();
                }
                return;
            }
            if (resume == null) {
                return;
            }
            if (resume.seq() == s && resume.epoch().equals(epoch)) {
                metrics().resumed(ResumeOutcome.UP_TO_DATE);
                return;
            }
            resuming = true; // until live, or reset
            if (!resume.epoch().equals(epoch)) {
                reset(s, "epoch_changed");
            } else if (resume.seq() > s) {
                reset(s, "history_unavailable");
            } else {
                lastSent = resume.seq();
                replayed = false;
                state = State.CATCHING_UP;
                pump();
            }
        } finally {
            if (pos.latest() != null) {
                pos.latest().release();
            }
        }
    }

    @Override
    public void onLive(EncodedEvent event) {
        if (state != State.LIVE) {
            return; // the cursor will reach it
        }
        if (!event.epoch().equals(epoch)) {
            epochChanged(event.epoch());
            return;
        }
        if (event.seq() <= lastSent) {
            return;
        }
        if (room.conflate()) {
            if (pendingState != null) {
                session.loopMetrics().conflated(); // the unsent state is superseded, never sent
                dropPendingState();
            }
            if (session.writable()) {
                write(event);
            } else {
                pendingState = event.retain();
            }
        } else if (session.pendingBytes() + event.frameBytes() <= session.budgetBytes()) {
            write(event);
        } else {
            state = State.CATCHING_UP; // resumes from the ring or the bus once the channel drains
            session.loopMetrics().catchUpStarted();
            loopBehind = false;
            if (session.writable()) {
                pump(); // no writability change will come to wake the cursor
            }
        }
    }

    @Override
    public void failed(Throwable cause) {
        session.failed(cause);
    }

    @Override
    public void onMissedLive() {
        if (state == State.LIVE) {
            state = State.CATCHING_UP;
            session.loopMetrics().catchUpStarted();
            loopBehind = true;
            pump();
        }
    }

    void onWritable() {
        if (state == State.CATCHING_UP) {
            pump();
        } else if (state == State.LIVE && pendingState != null) {
            EncodedEvent newest = pendingState;
            pendingState = null;
            try {
                if (newest.seq() > lastSent && newest.epoch().equals(epoch)) {
                    write(newest);
                }
            } finally {
                newest.release();
            }
        }
    }

    void end() {
        state = State.ENDED;
        dropPendingState();
        room.removeSubscriber(session.loopIndex(), this, System.currentTimeMillis());
    }

    /**
     * The catch-up cursor: ring first, bus history when the ring is too short, paced by writability. A
     * conflate room skips straight to its newest state.
     */
    private void pump() {
        if (room.conflate()) {
            catchUpToNewestState();
            return;
        }
        if (state == State.CATCHING_UP && session.writable() && !resuming && !loopBehind
                && room.countAfter(lastSent) * 2L > room.kind().historyEvents()) {
            // The same rule as for the bus's history (nearTheEndOfHistory), for a room whose ring holds its
            // whole history: close while the position is still stored, so the resume is exact.
            session.close(CloseCode.SLOW_CONSUMER, "too far behind: resume to catch up");
            return;
        }
        while (state == State.CATCHING_UP) {
            if (!session.writable()) {
                return; // onWritable() calls again
            }
            EncodedEvent next = room.after(lastSent);
            if (next == Room.NOT_COVERED) {
                readHistory();
                return;
            }
            if (next == null) {
                state = State.LIVE;
                resumeReplayed();
                return;
            }
            try {
                if (!next.epoch().equals(epoch)) {
                    epochChanged(next.epoch());
                    return;
                }
                write(next);
            } finally {
                next.release();
            }
        }
    }

    private void catchUpToNewestState() {
        if (state != State.CATCHING_UP || !session.writable()) {
            return; // onWritable() calls again
        }
        Room.Position pos = room.position();
        try {
            state = State.LIVE;
            EncodedEvent newest = pos.latest();
            if (newest != null && newest.seq() > lastSent && newest.epoch().equals(epoch)) {
                dropPendingState();
                write(newest);
            }
        } finally {
            if (pos.latest() != null) {
                pos.latest().release();
            }
        }
    }

    private void readHistory() {
        if (readInFlight) {
            return;
        }
        readInFlight = true;
        session.context().bus().readAfter(room.name(), lastSent, HISTORY_PAGE).whenComplete((read, error) -> {
            if (session.channel().eventLoop().inEventLoop()) {
                onHistorySafely(read, error);
            } else {
                session.channel().eventLoop().execute(() -> onHistorySafely(read, error));
            }
        });
    }

    private void onHistorySafely(EventBus.HistoryRead read, Throwable error) {
        try {
            onHistory(read, error);
        } catch (RuntimeException e) {
            session.failed(e);
        }
    }

    private void onHistory(EventBus.HistoryRead read, Throwable error) {
        readInFlight = false;
        if (state != State.CATCHING_UP) {
            return;
        }
        if (error != null) {
            session.close(CloseCode.INTERNAL_ERROR, "history unavailable");
            return;
        }
        if (!read.epoch().equals(epoch)) {
            epoch = read.epoch();
            reset(read.latestSeq(), "epoch_changed");
            if (state != State.ENDED) {
                state = State.CATCHING_UP;
                pump();
            }
            return;
        }
        if (!read.complete()) {
            if (resuming && !replayed) {
                reset(read.latestSeq(), "history_unavailable");
                if (state != State.ENDED) {
                    state = State.CATCHING_UP;
                    pump();
                }
            } else {
                session.close(CloseCode.SLOW_CONSUMER, "fell behind the room's history: resume to catch up");
            }
            return;
        }
        if (read.events().isEmpty()) {
            // Nothing stored after our position when the bus looked. If the bus has moved on since, look
            // again; otherwise everything after us is in the ring or still to come live.
            if (read.latestSeq() > lastSent) {
                readHistory();
                return;
            }
            EncodedEvent next = room.after(lastSent);
            if (next == Room.NOT_COVERED) {
                state = State.LIVE;
                resumeReplayed();
                return;
            }
            if (next != null) {
                next.release();
            }
            pump();
            return;
        }
        if (!resuming && !loopBehind && nearTheEndOfHistory(read)) {
            // Close while the client's position is still stored, so that its resume gets exactly what it
            // missed (contract §5), instead of serving it until the history runs out under it.
            session.close(CloseCode.SLOW_CONSUMER, "too far behind: resume to catch up");
            return;
        }
        for (BusEvent e : read.events()) {
            if (e.seq() <= lastSent) {
                continue;
            }
            if (!session.writable()) {
                break;
            }
            EncodedEvent encoded = room.historyFrame(e, session.context().rooms().encoder()); // shared with other readers
            try {
                write(encoded);
            } finally {
                encoded.release();
            }
        }
        pump();
    }

    /**
     * A live subscriber that fell back to the bus's history is closed (4008) once what it has still to
     * read fills half of the room's history, by count or by age: past that it is likely to fall out.
     */
    private boolean nearTheEndOfHistory(EventBus.HistoryRead read) {
        GatewayConfig.Kind kind = room.kind();
        if (read.storedAfter() * 2 > kind.historyEvents()) {
            return true;
        }
        long ageMillis = System.currentTimeMillis() - read.events().get(0).timestampMillis();
        return kind.historySeconds() > 0 && ageMillis * 2 > kind.historySeconds() * 1000L;
    }

    /**
     * The room's history restarted under a new epoch: the client's position there means nothing. A
     * reliable subscriber is told {@code reset} at the room's current position (as a resume from another
     * epoch would be) and goes on live from there; a conflate one gets the newest state.
     */
    private void epochChanged(String newEpoch) {
        epoch = newEpoch;
        dropPendingState();
        if (room.conflate()) {
            lastSent = 0;
            state = State.CATCHING_UP;
            pump();
            return;
        }
        Room.Position pos = room.position();
        try {
            if (!newEpoch.equals(pos.epoch())) {
                epoch = pos.epoch(); // it moved on again: report where it is now
            }
            reset(pos.seq(), "epoch_changed");
        } finally {
            if (pos.latest() != null) {
                pos.latest().release();
            }
        }
    }

    private void reset(long seq, String reason) {
        if (resuming) {
            metrics().resumed("epoch_changed".equals(reason)
                    ? ResumeOutcome.RESET_EPOCH_CHANGED : ResumeOutcome.RESET_HISTORY_UNAVAILABLE);
        }
        session.send(ServerMessages.reset(session.json(), room.name(), seq, epoch, reason));
        if (state == State.ENDED) {
            return;
        }
        lastSent = seq;
        resuming = false;
        state = State.LIVE;
    }

    private void write(EncodedEvent event) {
        replayed = true;
        lastSent = event.seq(); // before the write: the write may flush, and a flush may call back
        session.writeFrame(event.frameForWrite());
        session.loopMetrics().eventDelivered();
    }

    /** A resume's replay reached the live stream. */
    private void resumeReplayed() {
        if (resuming) {
            resuming = false;
            metrics().resumed(ResumeOutcome.REPLAYED);
        }
    }

    private GatewayMetrics metrics() {
        return session.context().metrics();
    }

    private void dropPendingState() {
        if (pendingState != null) {
            pendingState.release();
            pendingState = null;
        }
    }
}
