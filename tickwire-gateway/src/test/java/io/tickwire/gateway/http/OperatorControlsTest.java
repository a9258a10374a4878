package io.tickwire.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.tickwire.gateway.auth.TokenMinter;
import io.tickwire.gateway.testing.JdkWsClient;
import io.tickwire.gateway.testing.JdkWsClient.HandshakeRefused;
import io.tickwire.gateway.testing.JdkWsClient.TokenPlace;
import io.tickwire.gateway.testing.TestGateway;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code POST /api/v1/disconnect} and {@code /api/v1/revoke} on a real gateway with real clients: exactly the
 * matching connections close, with the right code, while the others keep receiving; a revoked token is refused
 * everywhere a token is taken; the admin scope and the body are checked; the revocation list is bounded.
 */
class OperatorControlsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final AtomicInteger SEQ = new AtomicInteger();

    @RegisterExtension
    static final TestGateway gw = TestGateway.perClass(Map.of());
    private final List<JdkWsClient> clients = new ArrayList<>();

    @AfterEach
    void closeClients() {
        clients.forEach(JdkWsClient::close);
    }

    // ---------------------------------------------------------------- helpers

    private static String admin() {
        return new TokenMinter(TestGateway.SECRET).mint("ops", List.of(), "tickwire:admin", System.currentTimeMillis() + 60_000);
    }

    /** A token of {@code sub} with the given {@code jti} and {@code iat} (either may be null), valid for an hour. */
    private static String token(String sub, String jti, Long iatMillis, String scope) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().subject(sub)
                .expirationTime(new Date(System.currentTimeMillis() + 3_600_000)).claim("rooms", List.of());
        if (jti != null) {
            claims.jwtID(jti);
        }
        if (iatMillis != null) {
            claims.issueTime(new Date(iatMillis));
        }
        if (scope != null) {
            claims.claim("scope", scope);
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
        try {
            jwt.sign(new MACSigner(TestGateway.SECRET.getBytes(StandardCharsets.UTF_8)));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    /** A connected client, subscribed to {@code room}; returns it with its welcome consumed. */
    private JdkWsClient subscribed(String token, String room) {
        JdkWsClient c = JdkWsClient.connect(gw.wsUri(), token);
        clients.add(c);
        c.nextOfType("welcome");
        c.send("{\"op\":\"subscribe\",\"id\":1,\"rooms\":[\"" + room + "\"]}");
        c.nextOfType("subscribed");
        return c;
    }

    /** Publishes one event to {@code room} and checks that each of {@code receivers} gets it. */
    private static void assertStillReceiving(String room, JdkWsClient... receivers) {
        int marker = SEQ.incrementAndGet();
        assertThat(gw.publish("{\"room\":\"" + room + "\",\"data\":{\"marker\":" + marker + "}}").statusCode()).isEqualTo(200);
        for (JdkWsClient c : receivers) {
            JsonNode e = c.next(n -> n.path("type").asText().equals("event") && n.path("data").path("marker").asInt() == marker, WAIT);
            assertThat(e).isNotNull();
            assertThat(c.isClosed()).isFalse();
        }
    }

    private static JsonNode body(java.net.http.HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    private static void assertClosed(JdkWsClient c, int code, String reason) {
        assertThat(c.awaitClose(WAIT)).isEqualTo(code);
        assertThat(c.closeReason()).isEqualTo(reason);
    }

    // ---------------------------------------------------------------- scope and body

    @Test
    void operatorControlsNeedTheAdminScope() throws Exception {
        String publisher = gw.publisherToken();
        for (String path : List.of("/api/v1/disconnect", "/api/v1/revoke", "/api/v1/drain")) {
            var none = gw.post(path, null, "{\"user\":\"x\"}");
            assertThat(none.statusCode()).as(path).isEqualTo(401);
            assertThat(body(none).path("error").path("code").asText()).isEqualTo("unauthorized");
            var forbidden = gw.post(path, publisher, "{\"user\":\"x\"}");
            assertThat(forbidden.statusCode()).as(path).isEqualTo(403);
            assertThat(body(forbidden).path("error").path("message").asText()).contains("tickwire:admin");
            assertThat(gw.post(path, "not.a.token", "{\"user\":\"x\"}").statusCode()).as(path).isEqualTo(401);
            assertThat(gw.get(path).statusCode()).as("GET " + path).isEqualTo(405);
        }
        assertThat(gw.get("/health/ready").statusCode()).as("a refused drain drains nothing").isEqualTo(200);
    }

    @Test
    void badBodiesGet400SayingWhy() throws Exception {
        Map<String, String> disconnect = Map.of(
                "", "body must be a JSON object",
                "{}", "give either user or session",
                "{\"user\":\"1\",\"session\":\"2\"}", "give either user or session",
                "{\"sesion\":\"2\"}", "unknown field 'sesion'",
                "{\"user\":42}", "user must be a string",
                "{\"user\":\"1\",\"code\":1008}", "code must be one of 1000, 1001, 1011, 1012, 1013, 4001, 4003",
                "{\"user\":\"1\",\"code\":\"1000\"}", "code must be an integer",
                "{\"user\":\"1\",\"reason\":\"" + "x".repeat(124) + "\"}", "reason must be at most 123 bytes",
                "{\"user\":", "malformed JSON",
                "{\"user\":\"\"}", "user must not be empty");
        disconnect.forEach((b, why) -> {
            var r = gw.post("/api/v1/disconnect", admin(), b);
            assertThat(r.statusCode()).as(b).isEqualTo(400);
            assertThat(r.body()).as(b).contains("\"code\":\"bad_request\"").contains(why);
        });
        Map<String, String> revoke = Map.of(
                "{}", "give either jti or user",
                "{\"jti\":\"a\",\"user\":\"b\"}", "give either jti or user",
                "{\"jti\":\"a\",\"issued_before\":1}", "issued_before goes with user",
                "{\"user\":\"a\",\"expires_at\":1}", "expires_at goes with jti",
                "{\"jti\":\"a\",\"expires_at\":-5}", "expires_at must be a time in epoch milliseconds",
                "{\"user\":\"a\",\"issued_before\":1.5}", "issued_before must be an integer");
        revoke.forEach((b, why) -> {
            var r = gw.post("/api/v1/revoke", admin(), b);
            assertThat(r.statusCode()).as(b).isEqualTo(400);
            assertThat(r.body()).as(b).contains(why);
        });
    }

    // ---------------------------------------------------------------- disconnect

    @Test
    void disconnectByUserClosesThatUsersConnectionsOnly() throws Exception {
        JdkWsClient a1 = subscribed(gw.token("kick-a"), "price:KICK");
        JdkWsClient a2 = subscribed(gw.token("kick-a"), "price:KICK");
        JdkWsClient b = subscribed(gw.token("kick-b"), "price:KICK");

        var r = gw.post("/api/v1/disconnect", admin(), "{\"user\":\"kick-a\"}");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(body(r).path("disconnected").asInt()).isEqualTo(2);
        assertClosed(a1, 4003, "disconnected by operator");
        assertClosed(a2, 4003, "disconnected by operator");
        assertStillReceiving("price:KICK", b);
        assertThat(body(gw.post("/api/v1/disconnect", admin(), "{\"user\":\"kick-a\"}")).path("disconnected").asInt())
                .as("nobody left").isZero();
        // disconnect does not revoke: the user may come back
        subscribed(gw.token("kick-a"), "price:KICK");
    }

    @Test
    void disconnectBySessionWithACodeAndAReason() throws Exception {
        JdkWsClient one = JdkWsClient.connect(gw.wsUri(), gw.token("kick-s"));
        clients.add(one);
        String session = one.nextOfType("welcome").path("session").asText();
        one.send("{\"op\":\"subscribe\",\"id\":1,\"rooms\":[\"price:SESS\"]}");
        one.nextOfType("subscribed");
        JdkWsClient other = subscribed(gw.token("kick-s"), "price:SESS");

        var r = gw.post("/api/v1/disconnect", admin(),
                "{\"session\":\"" + session + "\",\"code\":1012,\"reason\":\"moving you\"}");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(body(r).path("disconnected").asInt()).isEqualTo(1);
        assertClosed(one, 1012, "moving you");
        assertStillReceiving("price:SESS", other);
        assertThat(body(gw.post("/api/v1/disconnect", admin(), "{\"session\":\"0badc0de\"}")).path("disconnected").asInt())
                .isZero();
    }

    // ---------------------------------------------------------------- revoke

    @Test
    void revokeByJtiClosesTheConnectionsHoldingThatTokenAndRefusesItEverywhere() throws Exception {
        String revoked = token("rv-1", "jti-rv-1", System.currentTimeMillis(), null);
        String kept = token("rv-1", "jti-rv-2", System.currentTimeMillis(), null);
        JdkWsClient h1 = subscribed(revoked, "price:RVK");
        JdkWsClient h2 = subscribed(revoked, "price:RVK");
        JdkWsClient k = subscribed(kept, "price:RVK");
        long exp = SignedJWT.parse(revoked).getJWTClaimsSet().getExpirationTime().getTime();

        var r = gw.post("/api/v1/revoke", admin(), "{\"jti\":\"jti-rv-1\"}");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(body(r).path("disconnected").asInt()).isEqualTo(2);
        assertThat(body(r).path("until").asLong()).as("kept until the token expires, plus the leeway")
                .isEqualTo(exp + 30_000);
        assertClosed(h1, 4001, "token revoked");
        assertClosed(h2, 4001, "token revoked");
        assertStillReceiving("price:RVK", k);

        // handshake: 401 for services, 4001 for browsers
        HandshakeRefused refused = catchThrowableOfType(HandshakeRefused.class, () -> JdkWsClient.connect(gw.wsUri(), revoked));
        assertThat(refused).isNotNull();
        assertThat(refused.status).isEqualTo(401);
        assertThat(refused.getMessage()).contains("token revoked");
        try (JdkWsClient browser = JdkWsClient.connect(gw.wsUri(), revoked, TokenPlace.SUBPROTOCOL, TestGateway.ALLOWED_ORIGIN)) {
            assertClosed(browser, 4001, "token revoked");
        }
        // refresh
        k.send("{\"op\":\"refresh\",\"id\":7,\"token\":\"" + revoked + "\"}");
        JsonNode refusal = k.nextOfType("error");
        assertThat(refusal.path("code").asText()).isEqualTo("unauthorized");
        assertThat(refusal.path("message").asText()).isEqualTo("refresh refused: token revoked");
        // the other token of the same user still works
        subscribed(kept, "price:RVK");
    }

    @Test
    void aRevokedTokenIsRefusedByThePublishAndAdminApis() throws Exception {
        String publisher = token("svc-pub", "jti-pub-1", System.currentTimeMillis(), "tickwire:publish");
        String body = "{\"room\":\"price:PUB\",\"data\":{}}";
        assertThat(gw.post("/api/v1/publish", publisher, body).statusCode()).isEqualTo(200);
        String otherAdmin = token("ops-2", "jti-admin-2", System.currentTimeMillis(), "tickwire:admin");
        assertThat(gw.post("/api/v1/disconnect", otherAdmin, "{\"user\":\"nobody\"}").statusCode()).isEqualTo(200);

        long expiresAt = System.currentTimeMillis() + 3_600_000;
        var r1 = gw.post("/api/v1/revoke", admin(), "{\"jti\":\"jti-pub-1\",\"expires_at\":" + expiresAt + "}");
        assertThat(r1.statusCode()).isEqualTo(200);
        assertThat(body(r1).path("until").asLong()).isEqualTo(expiresAt + 30_000);
        assertThat(body(r1).path("disconnected").asInt()).isZero();
        var r2 = gw.post("/api/v1/revoke", admin(), "{\"jti\":\"jti-admin-2\"}");
        assertThat(body(r2).path("until").asLong()).as("expiry unknown: the retention (a day)")
                .isBetween(System.currentTimeMillis() + 86_300_000, System.currentTimeMillis() + 86_400_000);

        var publish = gw.post("/api/v1/publish", publisher, body);
        assertThat(publish.statusCode()).isEqualTo(401);
        assertThat(publish.body()).contains("token revoked");
        var adminCall = gw.post("/api/v1/disconnect", otherAdmin, "{\"user\":\"nobody\"}");
        assertThat(adminCall.statusCode()).isEqualTo(401);
        assertThat(adminCall.body()).contains("token revoked");
    }

    @Test
    void revokeByUserAndIssuedBeforeClosesExactlyTheOlderTokens() throws Exception {
        long now = System.currentTimeMillis();
        long cutoff = now - 10_000;
        String old = token("rv-u", "u-old", now - 60_000, null);
        String noIat = token("rv-u", "u-noiat", null, null);
        String newer = token("rv-u", "u-new", now - 1_000, null);
        String otherUser = token("rv-other", "o-old", now - 60_000, null);
        JdkWsClient cOld = subscribed(old, "price:USR");
        JdkWsClient cNoIat = subscribed(noIat, "price:USR");
        JdkWsClient cNewer = subscribed(newer, "price:USR");
        JdkWsClient cOther = subscribed(otherUser, "price:USR");

        var r = gw.post("/api/v1/revoke", admin(), "{\"user\":\"rv-u\",\"issued_before\":" + cutoff + "}");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(body(r).path("disconnected").asInt()).isEqualTo(2);
        assertClosed(cOld, 4001, "token revoked");
        assertClosed(cNoIat, 4001, "token revoked");
        assertStillReceiving("price:USR", cNewer, cOther);
        assertThat(catchThrowableOfType(HandshakeRefused.class, () -> JdkWsClient.connect(gw.wsUri(), old)).status)
                .isEqualTo(401);
        assertThat(catchThrowableOfType(HandshakeRefused.class, () -> JdkWsClient.connect(gw.wsUri(), noIat)).status)
                .isEqualTo(401);
        subscribed(newer, "price:USR");
        subscribed(otherUser, "price:USR");
    }

    @Test
    void aFullRevocationListRefusesNewEntriesWith507() throws Exception {
        try (TestGateway small = TestGateway.start(Map.of("TICKWIRE_AUTH_MAX_REVOCATIONS", "2"))) {
            assertThat(small.post("/api/v1/revoke", admin(), "{\"jti\":\"a\"}").statusCode()).isEqualTo(200);
            assertThat(small.post("/api/v1/revoke", admin(), "{\"user\":\"u\"}").statusCode()).isEqualTo(200);

            var full = small.post("/api/v1/revoke", admin(), "{\"jti\":\"b\"}");
            assertThat(full.statusCode()).isEqualTo(507);
            assertThat(body(full).path("error").path("code").asText()).isEqualTo("limit_exceeded");
            assertThat(body(full).path("error").path("message").asText())
                    .startsWith("revocation list full: 2 entries (auth.max-revocations)");
            assertThat(small.post("/api/v1/revoke", admin(), "{\"user\":\"v\"}").statusCode()).isEqualTo(507);
            assertThat(small.post("/api/v1/revoke", admin(), "{\"jti\":\"a\"}").statusCode())
                    .as("an entry already held can be renewed").isEqualTo(200);
            assertThat(small.post("/api/v1/revoke", admin(), "{\"user\":\"u\",\"issued_before\":1}").statusCode())
                    .isEqualTo(200);
            // the refused revocation did not take effect
            String b = token("someone", "b", System.currentTimeMillis(), null);
            try (JdkWsClient c = JdkWsClient.connect(small.wsUri(), b)) {
                c.nextOfType("welcome");
            }
        }
    }
}
