package io.tickwire.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tickwire.gateway.config.GatewayConfig.Mode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every wrong file, key or value stops the start with a message naming what is wrong and where. */
class ConfigValidationTest {

    @TempDir
    Path dir;

    // --- the file ---

    @Test
    void aMissingFileIsNamed() {
        Path missing = dir.resolve("nope.yaml");

        assertThatThrownBy(() -> ConfigLoader.load(Mode.DEMO, missing, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("config file not found: " + missing);
    }

    @Test
    void aDirectoryIsNotAFile() {
        assertThatThrownBy(() -> ConfigLoader.load(Mode.DEMO, dir, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("cannot read config file " + dir);
    }

    @Test
    void theFileMustBeAMapping() throws IOException {
        Path file = write("- server\n- auth\n");

        loadFails(file).hasMessageContaining("file " + file).hasMessageContaining("must be a mapping");
    }

    @Test
    void brokenYamlIsReportedWithItsLine() throws IOException {
        Path file = write("server:\n  port: 1\n   host: x\n");

        loadFails(file).hasMessageStartingWith("cannot parse config file " + file + " (line ");
    }

    @Test
    void aDuplicateKeyIsAnError() throws IOException {
        Path file = write("server:\n  port: 1\n  port: 2\n");

        loadFails(file).hasMessage("cannot parse config file " + file
                + " (line 3, column 9): key 'port' appears twice in the same mapping");
    }

    @Test
    void anUnknownKeyIsNamedWithItsFileAndTheValidKeys() throws IOException {
        Path file = write("server:\n  prot: 9000\n");

        loadFails(file).hasMessage("server.prot: unknown key (from file " + file
                + "); valid keys under server: host, port, transport, io-threads, max-connections, max-connections-per-user,"
                + " handshakes-per-second, handshake-burst, address-handshakes-per-second, address-handshake-burst,"
                + " max-pending-connections, address-max-pending-connections, proxy-protocol, trusted-proxies");
    }

    @Test
    void anUnknownTopLevelKeyListsTheTopLevelKeys() throws IOException {
        Path file = write("sever: {}\n");

        loadFails(file)
                .hasMessageStartingWith("sever: unknown key")
                .hasMessageEndingWith(
                        "valid keys at the top level: node-id, server, ws, outbound, auth, rooms, bus, demo, tls, drain, cluster");
    }

    @Test
    void aDottedKeyGetsAHint() throws IOException {
        loadFails(write("server.port: 9000\n"))
                .hasMessageStartingWith("server.port: unknown key")
                .hasMessageEndingWith("(nest keys instead of writing them dotted)");
    }

    @Test
    void anUnknownKeyInAKindIsNamed() throws IOException {
        Path file = write("rooms: {kinds: {fx: {histroy-events: 5}}}\n");

        loadFails(file)
                .hasMessageStartingWith("rooms.kinds.fx.histroy-events: unknown key")
                .hasMessageEndingWith(
                        "access, delivery, history-events, history-seconds, max-rooms, idle-evict-seconds, min-interval-ms");
    }

    @Test
    void aBadKindNameIsAnError() throws IOException {
        Path file = write("rooms: {kinds: {Fx-1: {}}}\n");

        loadFails(file).hasMessageStartingWith("rooms.kinds.Fx-1: invalid room kind name")
                .hasMessageContaining("[a-z][a-z0-9]{0,31}");
    }

    @Test
    void aMappingWhereAValueBelongsIsAnError() throws IOException {
        loadFails(write("server: {port: {number: 1}}\n"))
                .hasMessageStartingWith("server.port: expected a single value, got a mapping");
        loadFails(write("server: 8080\n")).hasMessageStartingWith(
                "server: expected a mapping with keys host, port, transport, io-threads, max-connections, max-connections-per-user,"
                        + " handshakes-per-second, handshake-burst, address-handshakes-per-second, address-handshake-burst,"
                        + " max-pending-connections, address-max-pending-connections, proxy-protocol, trusted-proxies,"
                        + " got 8080");
        loadFails(write("auth: {allowed-origins: https://a.example}\n"))
                .hasMessageStartingWith("auth.allowed-origins: expected a list");
    }

    // --- values ---

    @Test
    void aBadEnumWordNamesTheKeyTheValueAndTheWords() throws IOException {
        Path file = write("rooms: {kinds: {price: {delivery: fast}}}\n");

        loadFails(file).hasMessage("rooms.kinds.price.delivery: expected one of conflate, reliable, got 'fast'"
                + " (from file " + file + ")");
    }

    @Test
    void enumWordsAreLowerCase() throws IOException {
        loadFails(write("server: {transport: EPOLL}\n"))
                .hasMessageStartingWith("server.transport: expected one of auto, epoll, io_uring, nio, got 'EPOLL'");
    }

    @Test
    void aNonNumberIsAnError() throws IOException {
        loadFails(write("ws: {heartbeat-ms: soon}\n"))
                .hasMessageStartingWith("ws.heartbeat-ms: expected an integer of at least 1000, got 'soon'");
        loadFails(write("ws: {max-json-depth: 2.5}\n"))
                .hasMessageStartingWith("ws.max-json-depth: expected an integer from 2 to 64, got 2.5");
        loadFails(write("server: {port: }\n"))
                .hasMessageStartingWith("server.port: expected an integer from 0 to 65535, got no value");
    }

    @Test
    void aNegativeOrOutOfRangeNumberIsAnError() throws IOException {
        loadFails(write("server: {io-threads: -1}\n"))
                .hasMessageStartingWith("server.io-threads: expected an integer of at least 0, got -1");
        loadFails(write("server: {port: 70000}\n"))
                .hasMessageStartingWith("server.port: expected an integer from 0 to 65535, got 70000");
        loadFails(write("rooms: {kinds: {trades: {history-events: 0}}}\n")).hasMessageStartingWith(
                "rooms.kinds.trades.history-events: expected an integer of at least 1, got 0");
        loadFails(write("demo: {updates-per-second: 0}\n"))
                .hasMessageStartingWith("demo.updates-per-second: expected a number greater than 0 and at most 1000");
        loadFails(write("demo: {accounts: 1001}\n"))
                .hasMessageStartingWith("demo.accounts: expected an integer from 1 to 1000, got 1001");
        loadFails(write("ws: {max-frame-bytes: 99999999999}\n"))
                .hasMessageStartingWith("ws.max-frame-bytes: expected an integer from 128 to 16777216");
    }

    @Test
    void handshakeRatesAreCheckedIntegers() throws IOException {
        loadFails(write("server: {handshakes-per-second: 0}\n")).hasMessageStartingWith(
                "server.handshakes-per-second: expected an integer from 1 to 1000000, got 0");
        loadFails(write("server: {handshake-burst: -5}\n")).hasMessageStartingWith(
                "server.handshake-burst: expected an integer from 1 to 1000000, got -5");
        loadFails(write("server: {address-handshakes-per-second: lots}\n")).hasMessageStartingWith(
                "server.address-handshakes-per-second: expected an integer from 1 to 1000000, got 'lots'");
        loadFails(write("server: {address-handshake-burst: 1000001}\n")).hasMessageStartingWith(
                "server.address-handshake-burst: expected an integer from 1 to 1000000, got 1000001");
        assertThatThrownBy(() -> ConfigLoader.load(Mode.DEMO, null, Map.of("TICKWIRE_SERVER_PROXY_PROTOCOL", "yes")))
                .hasMessage("server.proxy-protocol: expected true or false, got 'yes' (from environment variable"
                        + " TICKWIRE_SERVER_PROXY_PROTOCOL)");
    }

    @Test
    void trustedProxiesMustBeAddressesOrCidrs() throws IOException {
        loadFails(write("server: {trusted-proxies: [10.0.0.0/8, lb.internal]}\n")).hasMessageStartingWith(
                "server.trusted-proxies[1]: expected an IPv4 or IPv6 address or CIDR, such as 10.0.0.0/8 or fd00::/8"
                        + " (not an IP address: lb.internal), got 'lb.internal'");
        loadFails(write("server: {trusted-proxies: [10.1.2.3/8]}\n")).hasMessageContaining(
                "server.trusted-proxies[0]: expected").hasMessageContaining("(address has bits set beyond the /8 prefix)");
        loadFails(write("server: {trusted-proxies: [\"::/200\"]}\n")).hasMessageContaining(
                "(prefix length must be 0 to 128, got 200)");
        loadFails(write("server: {trusted-proxies: 10.0.0.0/8}\n"))
                .hasMessageStartingWith("server.trusted-proxies: expected a list");
        GatewayConfig ok = ConfigLoader.load(Mode.DEMO, null,
                Map.of("TICKWIRE_SERVER_TRUSTED_PROXIES", "10.0.0.0/8, fd00::/8,192.0.2.7"));
        assertThat(ok.server().trustedProxies()).containsExactly("10.0.0.0/8", "fd00::/8", "192.0.2.7");
    }

    @Test
    void theWaterMarksMustBeOrdered() throws IOException {
        loadFails(write("outbound: {low-water-bytes: 70000}\n")).hasMessageStartingWith(
                "outbound.low-water-bytes: expected at most outbound.high-water-bytes (65536), got 70000");
        loadFails(write("outbound: {high-water-bytes: 2000000}\n")).hasMessageStartingWith(
                "outbound.high-water-bytes: expected at most outbound.budget-bytes (1048576), got 2000000");
        loadFails(write("outbound: {low-water-bytes: 0}\n"))
                .hasMessageStartingWith("outbound.low-water-bytes: expected an integer of at least 1, got 0");
    }

    @Test
    void theDrainDeadlineMustOutlastTheWindow() throws IOException {
        loadFails(write("drain: {window-seconds: 30, exit-deadline-seconds: 30}\n")).hasMessageStartingWith(
                "drain.exit-deadline-seconds: expected at least drain.window-seconds + 1 (31), got 30");
        loadFails(write("drain: {window-seconds: -1}\n"))
                .hasMessageStartingWith("drain.window-seconds: expected an integer from 0 to 3600, got -1");
        GatewayConfig c = ConfigLoader.load(Mode.DEMO, null,
                Map.of("TICKWIRE_DRAIN_WINDOW_SECONDS", "0", "TICKWIRE_DRAIN_EXIT_DEADLINE_SECONDS", "1"));
        assertThat(c.drain()).isEqualTo(new GatewayConfig.Drain(0, 1));
    }

    @Test
    void theRevocationListIsBounded() throws IOException {
        loadFails(write("auth: {max-revocations: 0}\n"))
                .hasMessageStartingWith("auth.max-revocations: expected an integer from 1 to 10000000, got 0");
        loadFails(write("auth: {revocation-retention-seconds: 0}\n"))
                .hasMessageStartingWith("auth.revocation-retention-seconds: expected an integer of at least 1, got 0");
    }

    @Test
    void listItemsAreChecked() throws IOException {
        loadFails(write("demo: {symbols: [AAPL, 'BAD SYMBOL']}\n"))
                .hasMessageStartingWith("demo.symbols[1]: expected a ticker of 1 to 64 letters")
                .hasMessageContaining("got 'BAD SYMBOL'");
        loadFails(write("demo: {symbols: []}\n"))
                .hasMessageStartingWith("demo.symbols: expected at least one symbol, got []");
        loadFails(write("auth: {allowed-origins: ['https://a.example/']}\n"))
                .hasMessageStartingWith("auth.allowed-origins[0]: expected '*' or an origin");
    }

    @Test
    void anUnknownBusTypeIsRefused() throws IOException {
        loadFails(write("bus: {type: kafka}\n")).hasMessageStartingWith("bus.type: expected memory or nats, got 'kafka'");
    }

    @Test
    void aBusWhoseModuleIsMissingIsAClearStartError() throws IOException {
        GatewayConfig c = ConfigLoader.load(Mode.DEMO, write("bus: {type: nats}\nserver: {port: 0}\n"), Map.of());
        assertThatThrownBy(() -> io.tickwire.gateway.Gateway.start(c))
                .isInstanceOf(ConfigException.class)
                .hasMessage("bus.type nats needs the tickwire-nats module on the class path: run"
                        + " tickwire-server/target/tickwire.jar, which holds every bus");
    }

    @Test
    void aRedisUrlWithoutItsModuleIsAClearStartError() throws IOException {
        GatewayConfig c = ConfigLoader.load(Mode.DEMO,
                write("cluster: {redis: {url: \"redis://127.0.0.1:6379\"}}\nserver: {port: 0}\n"), Map.of());
        assertThatThrownBy(() -> io.tickwire.gateway.Gateway.start(c))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("cluster.redis.url needs the tickwire-redis module on the class path");
    }

    // --- the secret ---

    @Test
    void serveModeWithoutASecretSaysWhatIsMissing() {
        assertThatThrownBy(() -> ConfigLoader.load(Mode.SERVE, null, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("no token verification key: set auth.hmac-secret in the config file or "
                        + "TICKWIRE_AUTH_HMAC_SECRET (at least 32 bytes), or auth.public-key-file "
                        + "(TICKWIRE_AUTH_PUBLIC_KEY_FILE), or auth.jwks-url (TICKWIRE_AUTH_JWKS_URL)");
    }

    @Test
    void aShortSecretIsRejectedWithoutShowingIt() throws IOException {
        Path file = write("auth: {hmac-secret: too-short-secret}\n");

        for (Mode mode : Mode.values()) {
            assertThatThrownBy(() -> ConfigLoader.load(mode, file, Map.of()))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("auth.hmac-secret: expected at least 32 bytes")
                    .hasMessageContaining("16 bytes")
                    .hasMessageNotContaining("too-short-secret");
        }
    }

    @Test
    void aSecretOfTheWrongTypeIsNotShownEither() throws IOException {
        String digits = "12345678901234567890123456789012345";

        loadFails(write("auth: {hmac-secret: " + digits + "}\n"))
                .hasMessageStartingWith("auth.hmac-secret: expected text")
                .hasMessageNotContaining(digits);
    }

    @Test
    void aSecretOfExactly32BytesIsEnough() {
        String secret = "x".repeat(32);

        GatewayConfig c = ConfigLoader.load(Mode.SERVE, null, Map.of("TICKWIRE_AUTH_HMAC_SECRET", secret));

        assertThat(c.auth().hmacSecret()).isEqualTo(secret);
    }

    private AbstractThrowableAssert<?, ? extends Throwable> loadFails(Path file) {
        return assertThatThrownBy(() -> ConfigLoader.load(Mode.DEMO, file, Map.of()))
                .isInstanceOf(ConfigException.class);
    }

    private Path write(String yaml) throws IOException {
        return Files.writeString(Files.createTempFile(dir, "tickwire", ".yaml"), yaml);
    }

    @Test
    void budgetMustHoldAnEventAboveTheWritabilityLine() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ConfigLoader.load(GatewayConfig.Mode.DEMO, null, java.util.Map.of(
                        "TICKWIRE_OUTBOUND_BUDGET_BYTES", "100000",
                        "TICKWIRE_OUTBOUND_HIGH_WATER_BYTES", "65536")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("outbound.budget-bytes")
                .hasMessageContaining("rooms.max-event-bytes");
    }
}
