package io.tickwire.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Rooms to subjects and back: one token per key, reversible, canonical. */
class SubjectCodecTest {

    final SubjectCodec codec = new SubjectCodec("tickwire");

    @Test
    void plainKeysAreUnchanged() {
        assertThat(codec.subject("price:AAPL")).isEqualTo("tickwire.price.AAPL");
        assertThat(codec.subject("trades:BTC-USD")).isEqualTo("tickwire.trades.BTC-USD");
        assertThat(codec.subject("account:a_b")).isEqualTo("tickwire.account.a_b");
    }

    @Test
    void aDotInTheKeyIsEscapedIntoOneToken() {
        assertThat(codec.subject("price:BRK.B")).isEqualTo("tickwire.price.BRK%2EB");
        assertThat(codec.room("tickwire.price.BRK%2EB")).isEqualTo("price:BRK.B");
    }

    @Test
    void everyByteOutsideTheSafeSetIsEscapedIncludingThePercentSign() {
        assertThat(SubjectCodec.escapeKey("a*b c>")).isEqualTo("a%2Ab%20c%3E");
        assertThat(SubjectCodec.escapeKey("100%")).isEqualTo("100%25");
        assertThat(SubjectCodec.escapeKey("é")).isEqualTo("%C3%A9");
        for (String key : new String[] {"a*b c>", "100%", "é", "BRK.B", "x.y.z", "%2E", "...", "-_-"}) {
            assertThat(SubjectCodec.unescapeKey(SubjectCodec.escapeKey(key))).as(key).isEqualTo(key);
        }
    }

    @Test
    void everyValidRoomRoundTrips() {
        for (String room : new String[] {"price:BRK.B", "price:AAPL", "orders:42", "book:ES.Z6-1_x", "trades:.", "a:-"}) {
            String subject = codec.subject(room);
            assertThat(subject.split("\\.")).as(subject).hasSize(3);
            assertThat(codec.room(subject)).as(subject).isEqualTo(room);
        }
    }

    @Test
    void subjectsThatNameNoRoomDecodeToNull() {
        assertThat(codec.room("tickwire.price.a.b")).as("two key tokens").isNull();
        assertThat(codec.room("tickwire.price")).as("no key").isNull();
        assertThat(codec.room("tickwire.price.")).as("empty key").isNull();
        assertThat(codec.room("other.price.AAPL")).as("other prefix").isNull();
        assertThat(codec.room("tickwire.Price.AAPL")).as("kind not lower case").isNull();
        assertThat(codec.room("tickwire.price.%41")).as("escape of a safe byte: not canonical").isNull();
        assertThat(codec.room("tickwire.price.BRK%2eB")).as("lower-case hex: not canonical").isNull();
        assertThat(codec.room("tickwire.price.BRK%2")).as("truncated escape").isNull();
        assertThat(codec.room("tickwire.price.a%2Ab")).as("decodes to a key the protocol forbids").isNull();
        assertThat(codec.room("tickwire.price.%FF")).as("not UTF-8").isNull();
        assertThat(codec.room("tickwire.price.a,b")).as("unescaped byte outside the safe set").isNull();
        assertThat(codec.room(null)).isNull();
    }

    @Test
    void aPrefixOfSeveralTokens() {
        SubjectCodec acme = new SubjectCodec("acme.tickwire");
        assertThat(acme.subject("price:BRK.B")).isEqualTo("acme.tickwire.price.BRK%2EB");
        assertThat(acme.room("acme.tickwire.price.BRK%2EB")).isEqualTo("price:BRK.B");
        assertThat(acme.kindFilter("price")).isEqualTo("acme.tickwire.price.>");
        assertThat(acme.room("tickwire.price.AAPL")).isNull();
    }

    @Test
    void badPrefixesAndRoomsAreRefused() {
        for (String prefix : new String[] {"", "a..b", "a.", "a*", "a>", "a b"}) {
            assertThatThrownBy(() -> new SubjectCodec(prefix)).as(prefix).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> codec.subject("nokind")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> codec.subject("Price:AAPL")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> codec.kindFilter("a.b")).isInstanceOf(IllegalArgumentException.class);
    }
}
