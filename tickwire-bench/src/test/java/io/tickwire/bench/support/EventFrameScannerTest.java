package io.tickwire.bench.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EventFrameScannerTest {

    private static ByteBuf frame(String json) {
        return Unpooled.copiedBuffer(json, StandardCharsets.UTF_8);
    }

    @Test
    void readsCounterTimestampAndRoomOfAnEvent() {
        ByteBuf f = frame("{\"type\":\"event\",\"room\":\"trades:B17\",\"seq\":42,\"ts\":1764268800123,"
                + "\"data\":{\"t\":1764268800123456,\"c\":981,\"p\":\"xxxx\"}}");
        try {
            assertThat(EventFrameScanner.isEvent(f)).isTrue();
            assertThat(EventFrameScanner.t(f)).isEqualTo(1764268800123456L);
            assertThat(EventFrameScanner.c(f)).isEqualTo(981);
            assertThat(EventFrameScanner.roomIndex(f)).isEqualTo(17);
            assertThat(f.readerIndex()).isZero(); // scanning reads nothing off the frame
        } finally {
            f.release();
        }
    }

    @Test
    void envelopeKeysAreNotMistakenForTheData() {
        // ts and seq come first and must not read as "t" or "c"
        ByteBuf f = frame("{\"type\":\"event\",\"room\":\"price:B0\",\"seq\":7,\"ts\":99,\"data\":{\"x\":1}}");
        try {
            assertThat(EventFrameScanner.isEvent(f)).isTrue();
            assertThat(EventFrameScanner.t(f)).isEqualTo(-1);
            assertThat(EventFrameScanner.c(f)).isEqualTo(-1);
        } finally {
            f.release();
        }
    }

    @Test
    void controlFramesAreNotEvents() {
        ByteBuf welcome = frame("{\"type\":\"welcome\",\"session\":\"c0ffee12\",\"heartbeat_ms\":15000}");
        ByteBuf subscribed = frame("{\"type\":\"subscribed\",\"id\":1,\"room\":\"trades:B3\",\"mode\":\"reliable\",\"seq\":0}");
        try {
            assertThat(EventFrameScanner.isEvent(welcome)).isFalse();
            assertThat(EventFrameScanner.isType(welcome, "welcome")).isTrue();
            assertThat(EventFrameScanner.isType(subscribed, "subscribed")).isTrue();
            assertThat(EventFrameScanner.roomIndex(subscribed)).isEqualTo(3);
        } finally {
            welcome.release();
            subscribed.release();
        }
    }

    @Test
    void roomsNotNamedByTheBenchHaveNoIndex() {
        ByteBuf f = frame("{\"type\":\"event\",\"room\":\"price:AAPL\",\"data\":{}}");
        try {
            assertThat(EventFrameScanner.roomIndex(f)).isEqualTo(-1);
        } finally {
            f.release();
        }
    }

    @Test
    void readsSeqAndEpochOfTheEnvelope() {
        ByteBuf subscribed = frame("{\"type\":\"subscribed\",\"id\":1,\"room\":\"trades:S1.3\",\"mode\":\"reliable\","
                + "\"seq\":1190,\"epoch\":\"m-5f2a\"}");
        ByteBuf reset = frame("{\"type\":\"reset\",\"room\":\"trades:S1.3\",\"seq\":77,\"epoch\":\"m-9\",\"reason\":\"history_unavailable\"}");
        ByteBuf event = frame("{\"type\":\"event\",\"room\":\"trades:S1.3\",\"seq\":1191,\"ts\":5,\"data\":{\"t\":1,\"c\":2}}");
        try {
            assertThat(EventFrameScanner.seq(subscribed)).isEqualTo(1190);
            assertThat(EventFrameScanner.epoch(subscribed)).isEqualTo("m-5f2a");
            assertThat(EventFrameScanner.isType(reset, "reset")).isTrue();
            assertThat(EventFrameScanner.seq(reset)).isEqualTo(77);
            assertThat(EventFrameScanner.epoch(reset)).isEqualTo("m-9");
            assertThat(EventFrameScanner.seq(event)).isEqualTo(1191);
            assertThat(EventFrameScanner.c(event)).isEqualTo(2);
            assertThat(EventFrameScanner.epoch(event)).isNull();
        } finally {
            subscribed.release();
            reset.release();
            event.release();
        }
    }

    @Test
    void aMatchOverlappingAFalseStartIsFound() {
        // after '"t"' the next byte breaks the match, yet a match starts at that last quote
        ByteBuf f = frame("{\"x\":\"t\"t\":5}");
        ByteBuf g = frame("xaaab");
        try {
            assertThat(EventFrameScanner.t(f)).isEqualTo(5);
            assertThat(EventFrameScanner.indexOf(g, EventFrameScanner.Needle.of("aab"), 0)).isEqualTo(2);
            assertThat(EventFrameScanner.indexOf(g, EventFrameScanner.Needle.of("aab"), 3)).isEqualTo(-1);
            assertThat(EventFrameScanner.contains(g, EventFrameScanner.Needle.of("xaaab"))).isTrue();
            assertThat(EventFrameScanner.contains(g, EventFrameScanner.Needle.of("xaaabb"))).isFalse();
        } finally {
            f.release();
            g.release();
        }
    }

    @Test
    void aNumberAtTheVeryEndAndNoneAtAll() {
        ByteBuf f = frame("\"c\":42");
        ByteBuf g = frame("\"c\":x");
        try {
            assertThat(EventFrameScanner.c(f)).isEqualTo(42);
            assertThat(EventFrameScanner.c(g)).isEqualTo(-1);
        } finally {
            f.release();
            g.release();
        }
    }
}
