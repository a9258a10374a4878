package io.tickwire.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** A room's position moves only on event, snapshot and reset (protocol §5). */
class RoomStateTest {

    private final RoomState room = new RoomState("orders:1", (r, s, t, d) -> {}, new CompletableFuture<>());

    @Test
    void aFirstSubscriptionStartsAtTheLatestSeqAndDropsDuplicatesButNotGaps() {
        room.onSubscribed("reliable", 10, "e1");
        assertThat(room.position()).isEqualTo(new RoomState.Position(10, "e1"));
        assertThat(room.acceptEvent(10)).isFalse();
        assertThat(room.acceptEvent(11)).isTrue();
        assertThat(room.acceptEvent(25)).as("a gap is no loss").isTrue();
        assertThat(room.acceptEvent(25)).isFalse();
        assertThat(room.acceptEvent(12)).isFalse();
        assertThat(room.position()).isEqualTo(new RoomState.Position(25, "e1"));
    }

    @Test
    void aResumedSubscriptionKeepsItsPositionInTheSameEpoch() {
        room.onSubscribed("reliable", 10, "e1");
        room.acceptEvent(12);
        room.connectionLost();
        assertThat(room.active()).isFalse();
        room.subscribing(7);
        room.onSubscribed("reliable", 40, "e1");
        assertThat(room.position()).isEqualTo(new RoomState.Position(12, "e1"));
        assertThat(room.acceptEvent(13)).isTrue();
    }

    @Test
    void aNewEpochForgetsTheOldSeqAndResetSetsTheNewPosition() {
        room.onSubscribed("reliable", 500, "e1");
        room.onSubscribed("reliable", 3, "e2");
        assertThat(room.position()).isEqualTo(new RoomState.Position(0, "e2"));
        room.onReset(3, "e2");
        assertThat(room.acceptEvent(3)).isFalse();
        assertThat(room.acceptEvent(4)).isTrue();
    }

    @Test
    void snapshotsAreNeverDroppedAndOnlyMoveThePositionForward() {
        room.onSubscribed("conflate", 50, "e1");
        room.onSnapshot(48);
        assertThat(room.position().seq()).isEqualTo(50);
        room.onSnapshot(60);
        assertThat(room.position().seq()).isEqualTo(60);
    }
}
