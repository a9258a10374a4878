package io.tickwire.gateway.testing;

import io.tickwire.gateway.Gateway;
import io.tickwire.gateway.auth.TokenMinter;
import io.tickwire.gateway.config.ConfigLoader;
import io.tickwire.gateway.config.GatewayConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real gateway on a free loopback port, in {@code serve} mode (no simulated feed), configured through the
 * same loader and environment variables a user would use. Either started at once ({@link #start}) or, as a
 * JUnit extension, for one test class: {@code @RegisterExtension static final TestGateway gw =
 * TestGateway.perClass(Map.of(...));} starts before the class's first test and stops after its last.
 */
public final class TestGateway implements AutoCloseable, BeforeAllCallback, AfterAllCallback {

    public static final String SECRET = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
    public static final String ALLOWED_ORIGIN = "https://app.example";

    private final Map<String, String> overrides;
    private Gateway gateway;
    private final TokenMinter minter = new TokenMinter(SECRET);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private TestGateway(Map<String, String> overrides) {
        this.overrides = overrides;
    }

    /** Starts a gateway; {@code overrides} are extra {@code TICKWIRE_*} variables. */
    public static TestGateway start(Map<String, String> overrides) {
        TestGateway gw = new TestGateway(overrides);
        gw.boot();
        return gw;
    }

    public static TestGateway start() {
        return start(Map.of());
    }

    /** A gateway for one test class, to register with {@code @RegisterExtension}. */
    public static TestGateway perClass(Map<String, String> overrides) {
        return new TestGateway(overrides);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        boot();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    private void boot() {
        Map<String, String> env = new HashMap<>();
        env.put("TICKWIRE_SERVER_HOST", "127.0.0.1");
        env.put("TICKWIRE_SERVER_PORT", "0");
        env.put("TICKWIRE_SERVER_IO_THREADS", "2");
        env.put("TICKWIRE_AUTH_HMAC_SECRET", SECRET);
        env.put("TICKWIRE_AUTH_ALLOWED_ORIGINS", ALLOWED_ORIGIN);
        env.put("TICKWIRE_NODE_ID", "gw-test");
        env.putAll(overrides);
        try {
            gateway = Gateway.start(ConfigLoader.load(GatewayConfig.Mode.SERVE, null, env));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public Gateway gateway() {
        return gateway;
    }

    public int port() {
        return gateway.port();
    }

    public URI wsUri() {
        return URI.create("ws://127.0.0.1:" + port() + "/ws");
    }

    public URI httpUri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    /** A valid token for {@code subject} granting {@code rooms}, valid for an hour. */
    public String token(String subject, String... rooms) {
        return minter.mint(subject, List.of(rooms), "", System.currentTimeMillis() + 3_600_000);
    }

    /** A token allowed to publish to every kind. */
    public String publisherToken() {
        return minter.mint("publisher", List.of(), "tickwire:publish", System.currentTimeMillis() + 3_600_000);
    }

    /** POSTs a publish body with a publisher token; returns the response. */
    public HttpResponse<String> publish(String body) {
        return post("/api/v1/publish", publisherToken(), body);
    }

    public HttpResponse<String> post(String path, String token, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(httpUri(path)).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return send(b.build());
    }

    public HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(httpUri(path)).timeout(Duration.ofSeconds(10)).GET().build());
    }

    private HttpResponse<String> send(HttpRequest req) {
        try {
            return http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        gateway.close();
    }
}
