package io.tickwire.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** What a revocation matches, how long it is kept, and the bound on the list (clock under the test's control). */
class RevocationListTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final RevocationList list = new RevocationList(3, 60_000, 5_000, now::get);

    private static Principal token(String sub, long iat, String jti) {
        return new Principal(sub, 5_000_000, iat, jti, null, Set.of());
    }

    @Test
    void aJtiRevokesThatTokenOnlyUntilItExpires() throws Exception {
        assertThat(list.revokeToken("j1", 1_100_000)).isEqualTo(1_105_000);
        assertThat(list.isRevoked(token("42", 900_000, "j1"))).isTrue();
        assertThat(list.isRevoked(token("42", 900_000, "j2"))).isFalse();
        assertThat(list.isRevoked(token("42", 900_000, null))).isFalse();
        now.set(1_105_000); // exp + leeway: the verifier refuses the token by itself from here on
        assertThat(list.isRevoked(token("42", 900_000, "j1"))).isFalse();
    }

    @Test
    void aJtiOfUnknownExpiryIsKeptForTheRetentionOrUntilItsExpiryBecomesKnown() throws Exception {
        assertThat(list.revokeToken("j1", 0)).isEqualTo(1_060_000);
        list.tokenExpiresAt("j1", 1_010_000);
        now.set(1_014_999);
        assertThat(list.isRevoked(token("42", 0, "j1"))).isTrue();
        now.set(1_015_000);
        assertThat(list.isRevoked(token("42", 0, "j1"))).isFalse();
    }

    @Test
    void aUserCutoffMatchesTokensIssuedBeforeItAndTokensWithoutIat() throws Exception {
        list.revokeUser("42", 950_000);
        assertThat(list.isRevoked(token("42", 949_000, "a"))).isTrue();
        assertThat(list.isRevoked(token("42", 0, null))).as("no iat").isTrue();
        assertThat(list.isRevoked(token("42", 950_000, "b"))).as("issued at the cutoff").isFalse();
        assertThat(list.isRevoked(token("43", 1, "c"))).as("another user").isFalse();
        list.revokeUser("42", 900_000); // an earlier cutoff does not undo the later one
        assertThat(list.isRevoked(token("42", 949_000, "a"))).isTrue();
        now.set(1_060_000);
        assertThat(list.isRevoked(token("42", 949_000, "a"))).as("forgotten after the retention").isFalse();
    }

    @Test
    void aFullListRefusesNewEntriesUntilOldOnesExpire() throws Exception {
        list.revokeToken("j1", 1_020_000);
        list.revokeToken("j2", 0);
        list.revokeUser("42", 1_000_000);
        assertThatThrownBy(() -> list.revokeToken("j3", 0))
                .isInstanceOf(RevocationList.FullException.class)
                .hasMessage("revocation list full: 3 entries (auth.max-revocations); the next one expires in 25 s");
        assertThatThrownBy(() -> list.revokeUser("43", 1_000_000)).isInstanceOf(RevocationList.FullException.class);
        assertThat(list.revokeUser("42", 1_000_500)).as("an existing entry can still be updated").isEqualTo(1_060_000);
        assertThat(list.size()).isEqualTo(3);

        now.set(1_025_000); // j1 expires
        list.revokeToken("j3", 0);
        assertThat(list.size()).isEqualTo(3);
        assertThat(list.isRevoked(token("x", 1, "j3"))).isTrue();
        assertThat(list.isRevoked(token("x", 1, "j2"))).isTrue();
    }

    @Test
    void revocationsFromTheFarmKeepTheirForgetTimeAndArePastWhenItHasPassed() throws Exception {
        assertThat(list.revokeTokenUntil("j9", 1_000_000)).as("already past").isFalse();
        assertThat(list.revokeTokenUntil("j9", 1_200_000)).isTrue();
        assertThat(list.revokeTokenUntil("j9", 1_100_000)).as("an earlier time does not shorten it").isTrue();
        assertThat(list.revokeUserUntil("7", 990_000, 1_300_000)).isTrue();
        now.set(1_199_999);
        assertThat(list.isRevoked(token("x", 0, "j9"))).isTrue();
        assertThat(list.isRevoked(token("7", 989_000, "k"))).isTrue();
        assertThat(list.isRevoked(token("7", 990_000, "k"))).as("issued at the cutoff").isFalse();
        now.set(1_200_000);
        assertThat(list.isRevoked(token("x", 0, "j9"))).isFalse();
        now.set(1_300_000);
        assertThat(list.isRevoked(token("7", 989_000, "k"))).isFalse();
        assertThat(list.size()).isEqualTo(2);
        list.sweep();
        assertThat(list.size()).isZero();
    }
}
