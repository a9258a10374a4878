package io.tickwire.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** Room names per contract §4: {@code kind} matches {@code [a-z][a-z0-9]{0,31}}, {@code key} {@code [A-Za-z0-9._-]{1,64}}. */
class RoomNameTest {

    private static final String KIND_32 = "k" + "a".repeat(30) + "9";
    private static final String KEY_64 = "A".repeat(60) + "._-9";

    @Test
    void boundsMatchTheContract() {
        assertThat(RoomName.MAX_KIND_LENGTH).isEqualTo(32);
        assertThat(RoomName.MAX_KEY_LENGTH).isEqualTo(64);
        assertThat(KIND_32).hasSize(32);
        assertThat(KEY_64).hasSize(64);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "price:AAPL",
        "price:BRK.B",
        "account:42",
        "a:b",
        "a:0",
        "x1:y",
        "book:btc-usd",
        "trades:ES_Z5",
        "p0:.",
        "p:_",
        "p:-",
        "orders:a.B_c-D.9",
    })
    void validNames(String room) {
        assertThat(RoomName.isValid(room)).as(room).isTrue();
    }

    @Test
    void kindOfExactly32AndKeyOfExactly64AreValid() {
        assertThat(RoomName.isValid(KIND_32 + ":" + KEY_64)).isTrue();
        assertThat(RoomName.isValid(KIND_32 + ":x")).isTrue();
        assertThat(RoomName.isValid("x:" + KEY_64)).isTrue();
    }

    @Test
    void kindOf33OrKeyOf65AreInvalid() {
        assertThat(RoomName.isValid(KIND_32 + "a:x")).isFalse();
        assertThat(RoomName.isValid("x:" + KEY_64 + "A")).isFalse();
        assertThat(RoomName.isValid(KIND_32 + "a:" + KEY_64 + "A")).isFalse();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
        "price",             // missing colon
        "priceAAPL",
        ":AAPL",             // empty kind
        "price:",            // empty key
        ":",
        "Price:AAPL",        // uppercase kind
        "pRICE:AAPL",
        "PRICE:AAPL",
        "1price:AAPL",       // kind starting with a digit
        "_price:AAPL",
        "pri_ce:AAPL",       // '_' is not allowed in kinds
        "pri-ce:AAPL",
        "pri.ce:AAPL",
        "price:a:b",         // extra colon in key
        "price::AAPL",
        "price:AAPL:",
        "price:BRK/B",       // '/' in key
        "price:A B",         // space
        "price: AAPL",
        " price:AAPL",
        "price:AAPL ",
        "price:AAPL\n",
        "price:AAPL\u0000",
        "price:A*",
        "price:*",
        "price:caf\u00e9",   // non-ASCII key
        "pr\u00efce:AAPL",   // non-ASCII kind
        "price:\uff21",      // fullwidth 'A'
        "price:\u0661",      // Arabic-Indic digit one (Character.isDigit would accept it)
        "\u0430ccount:1",    // Cyrillic 'a'
        "price:\ud83d\ude00",
    })
    void invalidNames(String room) {
        assertThat(RoomName.isValid(room)).as("%s", room).isFalse();
    }

    @Test
    void kindValidation() {
        assertThat(RoomName.isValidKind("price")).isTrue();
        assertThat(RoomName.isValidKind("a")).isTrue();
        assertThat(RoomName.isValidKind("a1")).isTrue();
        assertThat(RoomName.isValidKind(KIND_32)).isTrue();
        assertThat(RoomName.isValidKind(KIND_32 + "a")).isFalse();
        assertThat(RoomName.isValidKind(null)).isFalse();
        assertThat(RoomName.isValidKind("")).isFalse();
        assertThat(RoomName.isValidKind("Price")).isFalse();
        assertThat(RoomName.isValidKind("1a")).isFalse();
        assertThat(RoomName.isValidKind("price:AAPL")).isFalse();
        assertThat(RoomName.isValidKind("pr\u00efce")).isFalse();
        assertThat(RoomName.isValidKind("a_b")).isFalse();
    }

    @Test
    void kindAndKeyOfAValidName() {
        assertThat(RoomName.kindOf("price:BRK.B")).isEqualTo("price");
        assertThat(RoomName.keyOf("price:BRK.B")).isEqualTo("BRK.B");
        assertThat(RoomName.kindOf(KIND_32 + ":" + KEY_64)).isEqualTo(KIND_32);
        assertThat(RoomName.keyOf(KIND_32 + ":" + KEY_64)).isEqualTo(KEY_64);
        assertThat(RoomName.kindOf("a:0")).isEqualTo("a");
        assertThat(RoomName.keyOf("a:0")).isEqualTo("0");
    }
}
