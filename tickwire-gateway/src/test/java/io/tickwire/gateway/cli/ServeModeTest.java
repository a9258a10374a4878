package io.tickwire.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tickwire.gateway.Gateway;
import io.tickwire.gateway.config.ConfigException;
import io.tickwire.gateway.config.ConfigLoader;
import io.tickwire.gateway.config.GatewayConfig;
import io.tickwire.gateway.testing.JdkWsClient;
import io.tickwire.gateway.testing.JdkWsClient.TokenPlace;
import io.tickwire.gateway.testing.TestGateway;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code serve} versus {@code demo}: serve refuses to start without a verification key, saying what is
 * missing; environment variables configure a running gateway end to end; the demo feed, dev tokens and
 * page exist in demo mode and nowhere else.
 */
class ServeModeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void serveWithoutAKeyExitsWith2AndNamesTheKey() {
        // Main reads System.getenv(); with any TICKWIRE_* variable set this is not the case under test.
        assumeTrue(System.getenv().keySet().stream().noneMatch(k -> k.startsWith("TICKWIRE_")),
                "TICKWIRE_* variables are set in this environment");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        int code;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            code = assertTimeoutPreemptively(Duration.ofSeconds(30),
                    () -> new CommandLine(new Main()).execute("serve"));
        } finally {
            System.setErr(saved);
        }
        String printed = err.toString(StandardCharsets.UTF_8);
        assertThat(code).as("exit code; stderr was: %s", printed).isEqualTo(2);
        assertThat(printed).contains("auth.hmac-secret").contains("TICKWIRE_AUTH_HMAC_SECRET");
    }

    @Test
    void loadingServeConfigWithoutAKeyFailsNamingKeyAndVariable() {
        assertThatThrownBy(() -> ConfigLoader.load(GatewayConfig.Mode.SERVE, null, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("auth.hmac-secret")
                .hasMessageContaining("TICKWIRE_AUTH_HMAC_SECRET");
    }

    @Test
    void loadingServeConfigWithAnEmptyKeyVariableStillFails() {
        assertThatThrownBy(() -> ConfigLoader.load(GatewayConfig.Mode.SERVE, null, Map.of("TICKWIRE_AUTH_HMAC_SECRET", "")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("auth.hmac-secret");
    }

    /**
     * The shipped logback.xml reads TICKWIRE_LOG_LEVEL for the root level; the configuration loader must not
     * then refuse to start because that variable names no configuration key.
     */
    @Test
    void theLogLevelVariableOfLogbackXmlDoesNotStopTheStart() {
        assertThat(ConfigLoader.class.getResource("/logback.xml")).isNotNull();
        Map<String, String> env = Map.of("TICKWIRE_AUTH_HMAC_SECRET", TestGateway.SECRET, "TICKWIRE_LOG_LEVEL", "DEBUG");
        GatewayConfig cfg = ConfigLoader.load(GatewayConfig.Mode.SERVE, null, env);
        assertThat(cfg.auth().hmacSecret()).isEqualTo(TestGateway.SECRET);
    }

    @Test
    void environmentOverridesReachTheRunningGateway() {
        try (TestGateway gw = TestGateway.start(Map.of("TICKWIRE_WS_HEARTBEAT_MS", "2000", "TICKWIRE_NODE_ID", "gw-env"));
             JdkWsClient c = JdkWsClient.connect(gw.wsUri(), gw.token("env-user"))) {
            JsonNode welcome = c.next();
            assertThat(welcome.path("type").asText()).isEqualTo("welcome");
            assertThat(welcome.path("heartbeat_ms").asLong()).isEqualTo(2000);
            assertThat(welcome.path("node").asText()).isEqualTo("gw-env");
        }
    }

    @Test
    void serveHasNoDevEndpointsNoPageAndNoSimulatedFeed() {
        try (TestGateway gw = TestGateway.start()) {
            assertThat(gw.get("/dev/token?sub=x&rooms=account:1").statusCode()).isEqualTo(404);
            assertThat(gw.get("/dev/token").statusCode()).isEqualTo(404);
            assertThat(gw.get("/dev/symbols").statusCode()).isEqualTo(404);
            assertThat(gw.get("/").statusCode()).isEqualTo(404);
            assertThat(gw.get("/index.html").statusCode()).isEqualTo(404);
            assertThat(gw.get("/health/live").statusCode()).isEqualTo(200);

            try (JdkWsClient c = JdkWsClient.connect(gw.wsUri(), gw.token("quiet", "account:1"))) {
                assertThat(c.next().path("type").asText()).isEqualTo("welcome");
                c.send("{\"op\":\"subscribe\",\"id\":1,\"rooms\":[\"price:AAPL\",\"trades:AAPL\",\"account:1\"]}");
                for (int i = 0; i < 3; i++) {
                    JsonNode sub = c.nextOfType("subscribed");
                    assertThat(sub.path("seq").asLong()).as("room %s never had an event", sub.path("room").asText()).isZero();
                }
                List<JsonNode> rest = c.drain(Duration.ofMillis(1500));
                assertThat(rest).as("nothing is published in serve mode").isEmpty();
            }
        }
    }

    // ---------------------------------------------------------------- demo mode

    private static HttpResponse<String> get(Gateway gateway, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void demoHasTheFeedDevTokensAndPage() throws Exception {
        GatewayConfig cfg = ConfigLoader.load(GatewayConfig.Mode.DEMO, null,
                Map.of("TICKWIRE_SERVER_PORT", "0", "TICKWIRE_SERVER_HOST", "127.0.0.1"));
        try (Gateway gateway = Gateway.start(cfg)) {
            URI ws = URI.create("ws://127.0.0.1:" + gateway.port() + "/ws");

            HttpResponse<String> symbols = get(gateway, "/dev/symbols");
            assertThat(symbols.statusCode()).isEqualTo(200);
            JsonNode list = JSON.readTree(symbols.body()).path("symbols");
            assertThat(list.isArray()).isTrue();
            assertThat(list.size()).isGreaterThanOrEqualTo(20);

            HttpResponse<String> page = get(gateway, "/");
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
            assertThat(page.body()).containsIgnoringCase("<html").isNotBlank();

            HttpResponse<String> minted = get(gateway, "/dev/token?sub=demo-tester&rooms=account:1");
            assertThat(minted.statusCode()).isEqualTo(200);
            JsonNode body = JSON.readTree(minted.body());
            String token = body.path("token").asText();
            assertThat(token).isNotEmpty();
            assertThat(body.path("expires_at").asLong()).isGreaterThan(System.currentTimeMillis());

            try (JdkWsClient c = JdkWsClient.connect(ws, token)) {
                JsonNode welcome = c.next();
                assertThat(welcome.path("type").asText()).isEqualTo("welcome");
                assertThat(welcome.path("expires_at").asLong()).isEqualTo(body.path("expires_at").asLong() / 1000 * 1000);
                c.send("{\"op\":\"subscribe\",\"id\":1,\"rooms\":[\"price:AAPL\",\"account:1\"]}");
                JsonNode price = c.next(n -> n.path("room").asText().equals("price:AAPL")
                        && (n.path("type").asText().equals("snapshot") || n.path("type").asText().equals("event")),
                        Duration.ofSeconds(10));
                assertThat(price.path("data").isObject()).isTrue();
                assertThat(price.path("seq").asLong()).isPositive();
                // The simulator keeps publishing: live events follow.
                JsonNode live = c.next(n -> n.path("room").asText().equals("price:AAPL") && n.path("type").asText().equals("event"),
                        Duration.ofSeconds(10));
                assertThat(live.path("seq").asLong()).isGreaterThan(price.path("seq").asLong());
            }

            // Demo mode accepts the token in the query string (contract §1) from any origin.
            String t2 = JSON.readTree(get(gateway, "/dev/token?sub=browser").body()).path("token").asText();
            try (JdkWsClient c = JdkWsClient.connect(ws, t2, TokenPlace.QUERY, "https://anywhere.example")) {
                assertThat(c.next().path("type").asText()).isEqualTo("welcome");
            }

            // A malformed grant is refused by the minter.
            assertThat(get(gateway, "/dev/token?sub=x&rooms=not%20a%20room").statusCode()).isEqualTo(400);
        }
    }
}
