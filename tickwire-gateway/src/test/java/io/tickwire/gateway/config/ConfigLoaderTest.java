package io.tickwire.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tickwire.gateway.config.GatewayConfig.Access;
import io.tickwire.gateway.config.GatewayConfig.Delivery;
import io.tickwire.gateway.config.GatewayConfig.Kind;
import io.tickwire.gateway.config.GatewayConfig.Mode;
import io.tickwire.gateway.config.GatewayConfig.Transport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Layering of defaults, demo overlay and file, and the description of the result. */
class ConfigLoaderTest {

    static final String SECRET = "0123456789abcdef0123456789abcdef-serve";

    @TempDir
    Path dir;

    @Test
    void defaultsLoadInDemoMode() {
        GatewayConfig c = ConfigLoader.load(Mode.DEMO, null, Map.of());

        assertThat(c.mode()).isEqualTo(Mode.DEMO);
        assertThat(c.nodeId()).matches("gw-[0-9a-f]{6}");
        assertThat(c.server()).isEqualTo(new GatewayConfig.Server("0.0.0.0", 8080, Transport.AUTO, 0, 100000, 50,
                2000, 2000, 100, 500, 50000, 1000, false, java.util.List.of()));
        assertThat(c.ws()).isEqualTo(new GatewayConfig.Ws("/ws", 15000, 16384, 16, 10000, 50, 100));
        assertThat(c.outbound()).isEqualTo(new GatewayConfig.Outbound(1048576, 65536, 32768, 131072, 30000));
        assertThat(c.auth().roomsClaim()).isEqualTo("rooms");
        assertThat(c.auth().leewaySeconds()).isEqualTo(30);
        assertThat(c.rooms().maxEventBytes()).isEqualTo(65536);
        assertThat(c.rooms().maxSubscriptionsPerConnection()).isEqualTo(1024);
        assertThat(c.rooms().kinds()).containsOnlyKeys("price", "book", "trades", "account", "orders");
        assertThat(new ArrayList<>(c.rooms().kinds().keySet()))
                .containsExactly("price", "book", "trades", "account", "orders");
        assertThat(c.rooms().kinds().get("trades"))
                .isEqualTo(new Kind("trades", Access.AUTHENTICATED, Delivery.RELIABLE, 1000, 60, 100000, 300));
        assertThat(c.rooms().kinds().get("orders"))
                .isEqualTo(new Kind("orders", Access.GRANTED, Delivery.RELIABLE, 10000, 3600, 1000000, 3600));
        assertThat(c.bus()).isEqualTo(new GatewayConfig.Bus("memory", 300, 100000));
        assertThat(c.cluster().coordinated()).isFalse();
        assertThat(c.drain()).as("demo.yaml: Ctrl-C stops the demo quickly").isEqualTo(new GatewayConfig.Drain(1, 3));
        assertThat(ConfigLoader.load(Mode.SERVE, null, Map.of("TICKWIRE_AUTH_HMAC_SECRET", "s".repeat(32))).drain())
                .isEqualTo(new GatewayConfig.Drain(10, 30));
        assertThat(c.auth().maxRevocations()).isEqualTo(100000);
        assertThat(c.auth().revocationRetentionSeconds()).isEqualTo(86400);
        assertThat(c.demo().symbols()).hasSize(20).contains("AAPL", "MSFT", "NVDA", "BRK.B", "JPM", "V");
        assertThat(c.demo().updatesPerSecond()).isEqualTo(10.0);
        assertThat(c.demo().accounts()).isEqualTo(5);
        assertThat(c.demo().devTokenTtlSeconds()).isEqualTo(3600);
    }

    @Test
    void demoModeAppliesTheOverlayAndGeneratesASecret() {
        GatewayConfig c = ConfigLoader.load(Mode.DEMO, null, Map.of());

        assertThat(c.auth().allowQueryToken()).isTrue();
        assertThat(c.auth().allowedOrigins()).containsExactly("*");
        assertThat(Base64.getUrlDecoder().decode(c.auth().hmacSecret())).hasSize(32);
        assertThat(ConfigLoader.load(Mode.DEMO, null, Map.of()).auth().hmacSecret())
                .isNotEqualTo(c.auth().hmacSecret());
    }

    @Test
    void defaultsLoadInServeModeWithoutTheDemoOverlay() {
        GatewayConfig c = ConfigLoader.load(Mode.SERVE, null, Map.of("TICKWIRE_AUTH_HMAC_SECRET", SECRET));

        assertThat(c.mode()).isEqualTo(Mode.SERVE);
        assertThat(c.auth().hmacSecret()).isEqualTo(SECRET);
        assertThat(c.auth().allowQueryToken()).isFalse();
        assertThat(c.auth().allowedOrigins()).isEmpty();
        assertThat(c.server().port()).isEqualTo(8080);
    }

    @Test
    void fileOverridesDefaultsAndTheDemoOverlay() throws IOException {
        Path file = write("""
                node-id: edge-1
                server:
                  port: 0
                  transport: nio
                auth:
                  allow-query-token: false
                  allowed-origins: [https://a.example, "https://b.example:8443"]
                rooms:
                  kinds:
                    price:
                      delivery: reliable
                demo:
                  symbols: [X, Y]
                  updates-per-second: 0.5
                """);

        GatewayConfig c = ConfigLoader.load(Mode.DEMO, file, Map.of());

        assertThat(c.nodeId()).isEqualTo("edge-1");
        assertThat(c.server().port()).isZero();
        assertThat(c.server().transport()).isEqualTo(Transport.NIO);
        assertThat(c.server().host()).isEqualTo("0.0.0.0");
        assertThat(c.auth().allowQueryToken()).isFalse();
        assertThat(c.auth().allowedOrigins()).containsExactly("https://a.example", "https://b.example:8443");
        assertThat(c.rooms().kinds().get("price").delivery()).isEqualTo(Delivery.RELIABLE);
        assertThat(c.rooms().kinds().get("price").historyEvents()).isEqualTo(1);
        assertThat(c.demo().symbols()).containsExactly("X", "Y");
        assertThat(c.demo().updatesPerSecond()).isEqualTo(0.5);
    }

    @Test
    void aNewKindInTheFileTakesTheTemplateForKeysItLeavesOut() throws IOException {
        Path file = write("""
                rooms:
                  kinds:
                    fx:
                      delivery: reliable
                      history-events: 50
                    news: {}
                    alerts:
                """);

        GatewayConfig c = ConfigLoader.load(Mode.DEMO, file, Map.of());

        assertThat(new ArrayList<>(c.rooms().kinds().keySet()))
                .containsExactly("price", "book", "trades", "account", "orders", "fx", "news", "alerts");
        assertThat(c.rooms().kinds().get("fx"))
                .isEqualTo(new Kind("fx", Access.AUTHENTICATED, Delivery.RELIABLE, 50, 0, 100000, 300));
        assertThat(c.rooms().kinds().get("news"))
                .isEqualTo(new Kind("news", Access.AUTHENTICATED, Delivery.CONFLATE, 1, 0, 100000, 300));
        assertThat(c.rooms().kinds().get("alerts"))
                .isEqualTo(new Kind("alerts", Access.AUTHENTICATED, Delivery.CONFLATE, 1, 0, 100000, 300));
    }

    @Test
    void theFarmKeysBindFromTheEnvironmentAndHideARedisPassword() {
        GatewayConfig c = ConfigLoader.load(Mode.SERVE, null, Map.of(
                "TICKWIRE_AUTH_HMAC_SECRET", "s".repeat(32),
                "TICKWIRE_BUS_TYPE", "nats",
                "TICKWIRE_BUS_NATS_URLS", "nats://10.0.0.1:4222,nats://10.0.0.2:4222",
                "TICKWIRE_BUS_NATS_SUBJECT_PREFIX", "acme.md",
                "TICKWIRE_CLUSTER_REDIS_URL", "redis://:hunter22@10.0.0.9:6379/1",
                "TICKWIRE_CLUSTER_MAX_CONNECTIONS_PER_USER", "20"));

        assertThat(c.bus().type()).isEqualTo("nats");
        assertThat(c.bus().nats().urls()).containsExactly("nats://10.0.0.1:4222", "nats://10.0.0.2:4222");
        assertThat(c.bus().nats().subjectPrefix()).isEqualTo("acme.md");
        assertThat(c.bus().nats().streamPrefix()).isEqualTo("TICKWIRE_");
        assertThat(c.cluster().coordinated()).isTrue();
        assertThat(c.cluster().maxConnectionsPerUser()).isEqualTo(20);
        assertThat(ConfigLoader.describe(c)).contains("cluster.redis.url: redis://****@10.0.0.9:6379/1")
                .doesNotContain("hunter22");
    }

    @Test
    void badFarmValuesAreRefusedWithTheKey() {
        Map<String, String> secret = Map.of("TICKWIRE_AUTH_HMAC_SECRET", "s".repeat(32));
        assertThatThrownBy(() -> ConfigLoader.load(Mode.SERVE, null, with(secret, "TICKWIRE_BUS_TYPE", "kafka")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("bus.type").hasMessageContaining("memory or nats");
        assertThatThrownBy(() -> ConfigLoader.load(Mode.SERVE, null, with(secret, "TICKWIRE_BUS_NATS_URLS", "")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("bus.nats.urls");
        assertThatThrownBy(() -> ConfigLoader.load(Mode.SERVE, null,
                with(secret, "TICKWIRE_CLUSTER_REDIS_URL", "10.0.0.9:6379")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cluster.redis.url");
        assertThatThrownBy(() -> ConfigLoader.load(Mode.SERVE, null,
                with(secret, "TICKWIRE_CLUSTER_NODE_TTL_MS", "2000")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cluster.node-ttl-ms");
    }

    private static Map<String, String> with(Map<String, String> base, String key, String value) {
        Map<String, String> m = new java.util.HashMap<>(base);
        m.put(key, value);
        return m;
    }

    @Test
    void anEmptyOrCommentedOutFileChangesNothing() throws IOException {
        Path empty = write("");
        Path comments = write("# server:\n#   port: 9000\nserver:\n");

        assertThat(ConfigLoader.load(Mode.DEMO, empty, Map.of()).server().port()).isEqualTo(8080);
        assertThat(ConfigLoader.load(Mode.DEMO, comments, Map.of()).server().port()).isEqualTo(8080);
    }

    @Test
    void collectionsAreUnmodifiable() {
        GatewayConfig c = ConfigLoader.load(Mode.DEMO, null, Map.of());

        assertThat(c.rooms().kinds()).isUnmodifiable();
        assertThat(c.demo().symbols()).isUnmodifiable();
        assertThat(c.auth().allowedOrigins()).isUnmodifiable();
    }

    @Test
    void describeListsEveryKeyAndMasksTheSecret() {
        GatewayConfig c = ConfigLoader.load(Mode.SERVE, null, Map.of("TICKWIRE_AUTH_HMAC_SECRET", SECRET));

        String description = ConfigLoader.describe(c);

        assertThat(description).doesNotContain(SECRET).contains("auth.hmac-secret: ****");
        assertThat(description.lines()).contains(
                "mode: serve",
                "node-id: " + c.nodeId(),
                "server.port: 8080",
                "server.transport: auto",
                "auth.allow-query-token: false",
                "auth.allowed-origins: []",
                "rooms.kinds.price.delivery: conflate",
                "demo.dev-token-ttl-seconds: 3600");
        List<String> keys = description.lines().map(line -> line.substring(0, line.indexOf(':'))).toList();
        assertThat(keys).containsExactlyElementsOf(keyPathsOfDefaults());
    }

    @Test
    void describeMarksAnEmptySecretAsUnset() {
        GatewayConfig c = ConfigLoader.load(Mode.DEMO, null, Map.of());
        GatewayConfig.Auth a = c.auth();
        GatewayConfig unset = new GatewayConfig(c.mode(), c.nodeId(), c.server(), c.ws(), c.outbound(),
                new GatewayConfig.Auth("", a.publicKeyFile(), a.jwksUrl(), a.jwksRefreshMinSeconds(),
                        a.jwksCacheSeconds(), a.issuer(), a.audience(), a.requireIat(), a.allowQueryToken(),
                        a.allowedOrigins(), a.roomsClaim(), a.grantTemplates(), a.leewaySeconds(),
                        a.expiryWarningSeconds(), a.maxRevocations(), a.revocationRetentionSeconds()),
                c.rooms(), c.bus(), c.demo(), c.tls(), c.drain(), c.cluster());

        assertThat(ConfigLoader.describe(c)).contains("auth.hmac-secret: ****").doesNotContain(a.hmacSecret());
        assertThat(ConfigLoader.describe(unset)).contains("auth.hmac-secret: (unset)");
    }

    /** "mode" and then every leaf of defaults.yaml, in file order: describe() misses none. */
    private static List<String> keyPathsOfDefaults() {
        List<String> keys = new ArrayList<>();
        keys.add("mode");
        keys.addAll(ConfigLoader.assemble(Mode.SERVE, null, Map.of()).leaves().keySet());
        return keys;
    }

    private Path write(String yaml) throws IOException {
        Path file = Files.createTempFile(dir, "tickwire", ".yaml");
        return Files.writeString(file, yaml, StandardCharsets.UTF_8);
    }
}
