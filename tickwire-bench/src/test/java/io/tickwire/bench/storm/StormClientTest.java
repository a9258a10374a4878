package io.tickwire.bench.storm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StormClientTest {

    @Test
    void theFirstSubscribeHasNoResume() {
        StormClient c = new StormClient(7, 3, "trades:Sabc.3", "token");
        assertThat(c.subscribeFrame()).isEqualTo("{\"op\":\"subscribe\",\"id\":1,\"rooms\":[\"trades:Sabc.3\"]}");
        assertThat(c.resumeSent).isFalse();
    }

    @Test
    void onceItHasAPositionItResumesFromIt() {
        StormClient c = new StormClient(7, 3, "account:Sabc.3", "token");
        c.seq = 1187;
        c.epoch = "m-5f2a";
        assertThat(c.subscribeFrame()).isEqualTo("{\"op\":\"subscribe\",\"id\":1,\"rooms\":[\"account:Sabc.3\"],"
                + "\"resume\":{\"account:Sabc.3\":{\"seq\":1187,\"epoch\":\"m-5f2a\"}}}");
        assertThat(c.resumeSent).isTrue();
    }

    @Test
    void aRoomNeverPublishedToResumesFromZero() {
        StormClient c = new StormClient(0, 0, "trades:Sabc.0", "token");
        c.seq = 0; // subscribed said seq 0: nothing published yet
        c.epoch = "m-1";
        assertThat(c.subscribeFrame()).contains("\"resume\":{\"trades:Sabc.0\":{\"seq\":0,\"epoch\":\"m-1\"}}");
    }
}
