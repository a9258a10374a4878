package io.tickwire.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tickwire.gateway.config.GatewayConfig.Delivery;
import io.tickwire.gateway.config.GatewayConfig.Mode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TICKWIRE_* environment variables: the last layer. */
class EnvOverridesTest {

    @TempDir
    Path dir;

    @Test
    void variableNamesFollowTheKeyPath() {
        assertThat(EnvOverrides.variableFor("auth.hmac-secret")).isEqualTo("TICKWIRE_AUTH_HMAC_SECRET");
        assertThat(EnvOverrides.variableFor("rooms.kinds.price.delivery"))
                .isEqualTo("TICKWIRE_ROOMS_KINDS_PRICE_DELIVERY");
        assertThat(EnvOverrides.variableFor("server.port")).isEqualTo("TICKWIRE_SERVER_PORT");
        assertThat(EnvOverrides.variableFor("node-id")).isEqualTo("TICKWIRE_NODE_ID");
    }

    @Test
    void overridesAScalar() {
        GatewayConfig c = load(Map.of("TICKWIRE_SERVER_PORT", "9090", "TICKWIRE_AUTH_ALLOW_QUERY_TOKEN", "false",
                "TICKWIRE_DEMO_UPDATES_PER_SECOND", "2.5"));

        assertThat(c.server().port()).isEqualTo(9090);
        assertThat(c.auth().allowQueryToken()).isFalse();
        assertThat(c.demo().updatesPerSecond()).isEqualTo(2.5);
    }

    @Test
    void overridesAListCommaSeparated() {
        GatewayConfig c = load(Map.of("TICKWIRE_AUTH_ALLOWED_ORIGINS", "https://a.example, https://b.example"));

        assertThat(c.auth().allowedOrigins()).containsExactly("https://a.example", "https://b.example");
    }

    @Test
    void anEmptyValueIsAnEmptyList() {
        GatewayConfig c = load(Map.of("TICKWIRE_AUTH_ALLOWED_ORIGINS", ""));

        assertThat(c.auth().allowedOrigins()).isEmpty();
    }

    @Test
    void overridesAKindKey() {
        GatewayConfig c = load(Map.of("TICKWIRE_ROOMS_KINDS_PRICE_DELIVERY", "reliable"));

        assertThat(c.rooms().kinds().get("price").delivery()).isEqualTo(Delivery.RELIABLE);
    }

    @Test
    void overridesTheNodeId() {
        assertThat(load(Map.of("TICKWIRE_NODE_ID", "edge-7")).nodeId()).isEqualTo("edge-7");
    }

    @Test
    void winsOverTheFileAndReachesKindsTheFileAdded() throws IOException {
        Path file = Files.writeString(dir.resolve("c.yaml"), "server: {port: 7000}\nrooms: {kinds: {fx: {}}}\n");

        GatewayConfig c = ConfigLoader.load(Mode.DEMO, file,
                Map.of("TICKWIRE_SERVER_PORT", "7001", "TICKWIRE_ROOMS_KINDS_FX_MAX_ROOMS", "5"));

        assertThat(c.server().port()).isEqualTo(7001);
        assertThat(c.rooms().kinds().get("fx").maxRooms()).isEqualTo(5);
    }

    @Test
    void otherVariablesAreIgnored() {
        assertThat(load(Map.of("PATH", "/bin", "TICKWIRE", "x", "tickwire_server_port", "1")).server().port())
                .isEqualTo(8080);
    }

    @Test
    void anUnknownTickwireVariableIsAnError() {
        assertThatThrownBy(() -> load(Map.of("TICKWIRE_SERVER_PROT", "9090")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown environment variable TICKWIRE_SERVER_PROT")
                .hasMessageContaining("TICKWIRE_SERVER_PORT");
    }

    @Test
    void aBadValueNamesTheKeyAndTheVariable() {
        assertThatThrownBy(() -> load(Map.of("TICKWIRE_SERVER_PORT", "http")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("server.port: expected an integer from 0 to 65535, got 'http'"
                        + " (from environment variable TICKWIRE_SERVER_PORT)");
    }

    @Test
    void anEmptyListItemIsAnError() {
        assertThatThrownBy(() -> load(Map.of("TICKWIRE_DEMO_SYMBOLS", "AAPL,,MSFT")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("demo.symbols")
                .hasMessageContaining("TICKWIRE_DEMO_SYMBOLS");
    }

    @Test
    void everyKeyHasItsOwnVariable() {
        ConfigTree tree = ConfigLoader.assemble(Mode.DEMO, null, Map.of());

        assertThat(EnvOverrides.variables(tree)).hasSameSizeAs(tree.leaves()).containsEntry(
                "TICKWIRE_ROOMS_MAX_SUBSCRIPTIONS_PER_CONNECTION", "rooms.max-subscriptions-per-connection");
    }

    private static GatewayConfig load(Map<String, String> env) {
        return ConfigLoader.load(Mode.DEMO, null, env);
    }
}
