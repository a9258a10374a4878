package io.tickwire.bench.support;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OpenFilesTest {

    @Test
    void connectionsFitUnderTheLimitWithTheReserve() {
        assertThat(OpenFiles.checkRoomFor(19_000, 40, 20_000)).isNull();
        assertThat(OpenFiles.checkRoomFor(20_000 - 40 - OpenFiles.RESERVE, 40, 20_000)).isNull();
    }

    @Test
    void tooManySaysHowManyFit() {
        assertThat(OpenFiles.checkRoomFor(19_900, 40, 20_000))
                .contains("at most " + (20_000 - 40 - OpenFiles.RESERVE) + " connections").contains("20000");
    }

    @Test
    void thisProcessKnowsItsLimit() {
        assertThat(OpenFiles.max()).isPositive();
        assertThat(OpenFiles.open()).isPositive().isLessThan(OpenFiles.max());
    }
}
