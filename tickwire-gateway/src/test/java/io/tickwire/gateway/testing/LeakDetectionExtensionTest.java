package io.tickwire.gateway.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.tickwire.testsupport.LeakDetectionExtension;
import org.junit.jupiter.api.Test;

/** The leak detector this suite relies on does see a leak (so a green suite means something). */
class LeakDetectionExtensionTest {

    @Test
    void aDroppedBufferIsReported() throws Exception {
        leakOne();
        boolean found = false;
        for (int i = 0; i < 20 && !found; i++) {
            found = LeakDetectionExtension.collectLeaks().stream().anyMatch(l -> l.contains("LEAK"));
        }
        assertThat(found).as("a deliberately leaked buffer was reported").isTrue();
    }

    private static void leakOne() {
        ByteBuf leaked = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        leaked.writeLong(42); // never released
    }
}
