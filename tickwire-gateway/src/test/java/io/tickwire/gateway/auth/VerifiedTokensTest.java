package io.tickwire.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tickwire.gateway.config.ConfigLoader;
import io.tickwire.gateway.config.GatewayConfig;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A token verified a moment ago is answered at once (no signature check, no hop to the verifier's threads),
 * but never past its expiry and never once revoked; a different token, even for the same user, is verified.
 */
class VerifiedTokensTest {

    private static final String SECRET = "verified-tokens-test-secret-0123456789abcdef";

    private final TokenMinter minter = new TokenMinter(SECRET);
    private final TokenVerifier verifier = new TokenVerifier(config().auth());

    @AfterEach
    void close() {
        verifier.close();
    }

    private static GatewayConfig config() {
        return ConfigLoader.load(GatewayConfig.Mode.SERVE, null, Map.of(
                "TICKWIRE_AUTH_HMAC_SECRET", SECRET, "TICKWIRE_AUTH_LEEWAY_SECONDS", "0"));
    }

    @Test
    void aTokenVerifiedAMomentAgoIsAnsweredAtOnceWithTheSamePrincipal() throws Exception {
        String token = minter.mint("pub", List.of(), "tickwire:publish", System.currentTimeMillis() + 60_000);
        Principal first = verifier.verifyAsync(token).get(5, TimeUnit.SECONDS);
        CompletableFuture<Principal> again = verifier.verifyAsync(token);
        assertThat(again).as("answered without queueing").isDone();
        assertThat(again.get()).isSameAs(first);

        String other = minter.mint("pub", List.of(), "tickwire:publish", System.currentTimeMillis() + 61_000);
        assertThat(verifier.verifyAsync(other).get(5, TimeUnit.SECONDS)).isNotSameAs(first);
    }

    @Test
    void aRememberedTokenIsRefusedOnceRevoked() throws Exception {
        String token = minter.mint("mallory", List.of(), "", System.currentTimeMillis() + 60_000);
        verifier.verifyAsync(token).get(5, TimeUnit.SECONDS);
        verifier.revocations().revokeUser("mallory", System.currentTimeMillis() + 1000);
        CompletableFuture<Principal> again = verifier.verifyAsync(token);
        assertThatThrownBy(() -> again.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(TokenVerifier.InvalidTokenException.class).hasMessage("token revoked");
    }

    @Test
    void aRememberedTokenIsNotServedPastItsExpiry() throws Exception {
        // JWT exp has second resolution: a token that expires at the next whole second plus one
        long exp = (System.currentTimeMillis() / 1000 + 2) * 1000;
        String token = minter.mint("brief", List.of(), "", exp);
        verifier.verifyAsync(token).get(5, TimeUnit.SECONDS);
        assertThat(verifier.verifyAsync(token)).isDone();
        Thread.sleep(Math.max(0, exp - System.currentTimeMillis()) + 50);
        CompletableFuture<Principal> late = verifier.verifyAsync(token);
        assertThatThrownBy(() -> late.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(TokenVerifier.InvalidTokenException.class).hasMessage("token expired");
    }

    @Test
    void theTableKeepsTheExactTokenNotAnotherWithTheSameSlot() {
        VerifiedTokens table = new VerifiedTokens(0);
        Principal p = new Principal("u", System.currentTimeMillis() + 60_000, 0, null, null, java.util.Set.of());
        long now = System.currentTimeMillis();
        table.put("Aa", p, now);
        assertThat(table.get("Aa", now)).isSameAs(p);
        assertThat(table.get("BB", now)).as("same hash, another token").isNull(); // "Aa".hashCode() == "BB".hashCode()
        assertThat(table.get("Aa", now + VerifiedTokens.MAX_AGE_MILLIS + 1)).as("older than a minute").isNull();
    }
}
