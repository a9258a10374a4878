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
}
