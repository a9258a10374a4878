package io.tickwire.client;

import io.tickwire.gateway.Gateway;
import io.tickwire.gateway.auth.TokenMinter;
import io.tickwire.gateway.config.ConfigLoader;
import io.tickwire.gateway.config.GatewayConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A real gateway on a loopback port, started the way a user starts one (configuration loader and
 * {@code TICKWIRE_*} variables), for the client's integration tests.
 */
final class LocalGateway implements AutoCloseable {

    static final String SECRET = "client-test-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

    private final Gateway gateway;
    private final TokenMinter minter = new TokenMinter(SECRET);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private LocalGateway(Gateway gateway) {
        this.gateway = gateway;
    }

    /** Starts a gateway; {@code overrides} are extra {@code TICKWIRE_*} variables (port 0 unless given). */
    static LocalGateway start(Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>();
        env.put("TICKWIRE_SERVER_HOST", "127.0.0.1");
        env.put("TICKWIRE_SERVER_PORT", "0");
        env.put("TICKWIRE_SERVER_IO_THREADS", "1");
        env.put("TICKWIRE_AUTH_HMAC_SECRET", SECRET);
        env.put("TICKWIRE_NODE_ID", "gw-client-test");
        env.putAll(overrides);
        try {
            return new LocalGateway(Gateway.start(ConfigLoader.load(GatewayConfig.Mode.SERVE, null, env)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static LocalGateway start() {
        return start(Map.of());
    }

    Gateway gateway() {
        return gateway;
    }

    int port() {
        return gateway.port();
    }

    String wsUrl() {
        return "ws://127.0.0.1:" + port() + "/ws";
    }

    /** A token for {@code subject} granting {@code rooms}, valid for an hour. */
    String token(String subject, String... rooms) {
        return tokenExpiringAt(subject, System.currentTimeMillis() + 3_600_000, rooms);
    }

    String tokenExpiringAt(String subject, long expiresAtMillis, String... rooms) {
        return minter.mint(subject, List.of(rooms), "", expiresAtMillis);
    }

    String adminToken() {
        return minter.mint("admin", List.of(), "tickwire:admin", System.currentTimeMillis() + 3_600_000);
    }

    /** Publishes straight to the node's bus; returns the assigned seq. */
    long publish(String room, String json) {
        return gateway.bus().publish(room, json.getBytes(StandardCharsets.UTF_8), null).toCompletableFuture().join()
                .seq();
    }

    /** POSTs {@code body} to an admin endpoint with an admin token. */
    HttpResponse<String> admin(String path, String body) {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + adminToken())
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
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
