package io.tickwire.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickwire.gateway.auth.Principal;
import io.tickwire.gateway.auth.TokenVerifier;
import io.tickwire.gateway.config.ConfigLoader;
import io.tickwire.gateway.config.GatewayConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code tickwire token} prints a token the gateway with the same configuration accepts, with what was asked. */
class TokenCommandTest {

    static final Map<String, String> ENV = Map.of(
            "TICKWIRE_AUTH_HMAC_SECRET", "token-command-secret-0123456789-abcdef",
            "TICKWIRE_AUTH_ISSUER", "https://auth.example",
            "TICKWIRE_AUTH_AUDIENCE", "tickwire");

    private static String[] run(Map<String, String> env, String... args) {
        TokenCommand command = new TokenCommand();
        command.env = env;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        int code;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = new CommandLine(command).execute(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new String[] {Integer.toString(code), out.toString(StandardCharsets.UTF_8).strip(),
                err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void theTokenIsAcceptedByTheSameConfigurationWithItsSubjectRoomsScopeAndJti() throws Exception {
        String[] r = run(ENV, "--sub", "ops", "--scope", "tickwire:admin tickwire:publish", "--rooms",
                "account:42,orders:42", "--ttl-seconds", "120");
        assertThat(r[0]).as(r[2]).isEqualTo("0");
        GatewayConfig cfg = ConfigLoader.load(GatewayConfig.Mode.SERVE, null, ENV);
        try (TokenVerifier verifier = new TokenVerifier(cfg.auth())) {
            Principal p = verifier.verify(r[1]);
            assertThat(p.subject()).isEqualTo("ops");
            assertThat(p.isAdmin()).isTrue();
            assertThat(p.mayPublish("orders")).isTrue();
            assertThat(p.tokenId()).isNotBlank();
            assertThat(p.grants().toString()).contains("account:42").contains("orders:42");
            assertThat(p.expiresAtMillis() - System.currentTimeMillis()).isBetween(100_000L, 121_000L);
        }
    }

    @Test
    void withoutAnHmacSecretItSaysWhy() {
        String[] r = run(Map.of(), "--sub", "ops");
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1]).isEmpty();
        assertThat(r[2]).startsWith("tickwire token: ").contains("auth.hmac-secret");
    }
}
