package io.tickwire.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.tickwire.gateway.testing.JdkWsClient;
import io.tickwire.gateway.testing.JdkWsClient.HandshakeRefused;
import io.tickwire.gateway.testing.JdkWsClient.TokenPlace;
import io.tickwire.gateway.testing.TestGateway;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * Contract §1 (connecting) and §4 (grants), over real sockets with the JDK's WebSocket client: every kind
 * of bad token is refused before the session starts (HTTP 401 for a non-browser request, upgrade then close
 * 4001 for a browser-style request with an allowed {@code Origin}); a good token is accepted in each place
 * the contract names; a disallowed origin gets 403; a room the token does not grant gets {@code forbidden}
 * and none of its events ever reach the client.
 */
class HandshakeAuthTest {

    private static final String EVIL_ORIGIN = "https://evil.example";
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    static TestGateway gw;
    static TestGateway queryGw;

    @BeforeAll
    static void start() {
        gw = TestGateway.start();
        queryGw = TestGateway.start(Map.of("TICKWIRE_AUTH_ALLOW_QUERY_TOKEN", "true"));
    }

    @AfterAll
    static void stop() {
        if (queryGw != null) {
            queryGw.close();
        }
        if (gw != null) {
            gw.close();
        }
    }

    // ---------------------------------------------------------------- forged tokens

    private static long inAnHour() {
        return System.currentTimeMillis() + 3_600_000;
    }

    private static JWTClaimsSet.Builder claims(String subject) {
        return new JWTClaimsSet.Builder().subject(subject).issueTime(new Date()).claim("rooms", List.of("account:1"));
    }

    private static String signed(JWSAlgorithm alg, JWSSigner signer, JWTClaimsSet claims) {
        SignedJWT jwt = new SignedJWT(new JWSHeader(alg), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    static String expiredToken() {
        return new TokenMinter(TestGateway.SECRET).mint("eve", List.of("account:1"), "", System.currentTimeMillis() - 3_600_000);
    }

    static String wrongSecretToken() {
        return new TokenMinter("another-secret-that-is-long-enough-0123456789").mint("eve", List.of("account:1"), "", inAnHour());
    }

    static String noExpToken() {
        try {
            return signed(JWSAlgorithm.HS256, new MACSigner(TestGateway.SECRET.getBytes(StandardCharsets.UTF_8)),
                    claims("eve").build());
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    static String algNoneToken() {
        long exp = inAnHour() / 1000;
        return b64("{\"alg\":\"none\"}") + "." + b64("{\"sub\":\"eve\",\"exp\":" + exp + ",\"rooms\":[\"account:1\"]}") + ".";
    }

    static String rs256Token() {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
            gen.initialize(2048);
            return signed(JWSAlgorithm.RS256, new RSASSASigner(gen.generateKeyPair().getPrivate()),
                    claims("eve").expirationTime(new Date(inAnHour())).build());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String notYetValidToken() {
        try {
            return signed(JWSAlgorithm.HS256, new MACSigner(TestGateway.SECRET.getBytes(StandardCharsets.UTF_8)),
                    claims("eve").expirationTime(new Date(inAnHour() + 3_600_000)).notBeforeTime(new Date(inAnHour())).build());
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** HS384 with the right secret: the secret (49 bytes) is long enough for it, so it is accepted. */
    static String hs384Token() {
        try {
            return signed(JWSAlgorithm.HS384, new MACSigner(TestGateway.SECRET.getBytes(StandardCharsets.UTF_8)),
                    claims("eve").expirationTime(new Date(inAnHour())).build());
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** HS512 needs a 64-byte key: signed with the 49-byte secret padded to 64, it must not pass as HS512. */
    static String hs512TooShortSecretToken() {
        try {
            byte[] padded = java.util.Arrays.copyOf(TestGateway.SECRET.getBytes(StandardCharsets.UTF_8), 64);
            return signed(JWSAlgorithm.HS512, new MACSigner(padded), claims("eve").expirationTime(new Date(inAnHour())).build());
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    static String malformedGrantToken() {
        return new TokenMinter(TestGateway.SECRET).mint("eve", List.of("account:1", "account:not a room!"), "", inAnHour());
    }

    /** Name and token (null: no token at all). */
    static Stream<Arguments> badTokens() {
        return Stream.of(
                Arguments.of("no token", null),
                Arguments.of("malformed", "not-a-jwt"),
                Arguments.of("malformed three parts", "abc.def.ghi"),
                Arguments.of("expired", expiredToken()),
                Arguments.of("wrong secret", wrongSecretToken()),
                Arguments.of("no exp", noExpToken()),
                Arguments.of("alg none", algNoneToken()),
                Arguments.of("RS256", rs256Token()),
                Arguments.of("not yet valid", notYetValidToken()),
                Arguments.of("HS512 where the secret is too short for it", hs512TooShortSecretToken()),
                Arguments.of("malformed grant", malformedGrantToken()));
    }

    // ---------------------------------------------------------------- bad tokens

    @ParameterizedTest(name = "{0}: 401 before upgrade without Origin")
    @MethodSource("badTokens")
    void badTokenWithoutOriginGets401(String name, String token) {
        TokenPlace place = token == null ? TokenPlace.NONE : TokenPlace.HEADER;
        HandshakeRefused refused = catchThrowableOfType(HandshakeRefused.class,
                () -> JdkWsClient.connect(gw.wsUri(), token, place, null).close());
        assertThat(refused).as(name + " must be refused before the upgrade").isNotNull();
        assertThat(refused.status).isEqualTo(401);
        if (token != null) {
            assertThat(refused.getMessage()).doesNotContain(token);
        }
    }

    @ParameterizedTest(name = "{0}: 401 before upgrade without Origin, token in subprotocol")
    @MethodSource("badTokens")
    void badTokenInSubprotocolWithoutOriginGets401(String name, String token) {
        TokenPlace place = token == null ? TokenPlace.NONE : TokenPlace.SUBPROTOCOL;
        HandshakeRefused refused = catchThrowableOfType(HandshakeRefused.class,
                () -> JdkWsClient.connect(gw.wsUri(), token, place, null).close());
        assertThat(refused).as(name + " must be refused before the upgrade").isNotNull();
        assertThat(refused.status).isEqualTo(401);
    }

    @ParameterizedTest(name = "{0}: upgraded then closed 4001 with allowed Origin")
    @MethodSource("badTokens")
    void badTokenFromBrowserIsUpgradedThenClosed4001(String name, String token) {
        TokenPlace place = token == null ? TokenPlace.NONE : TokenPlace.SUBPROTOCOL;
        try (JdkWsClient c = JdkWsClient.connect(gw.wsUri(), token, place, TestGateway.ALLOWED_ORIGIN)) {
            if (token != null) {
                assertThat(c.subprotocol()).isEqualTo("tickwire.v1");
            }
            assertThat(c.awaitClose(CLOSE_WAIT)).as(name).isEqualTo(4001);
            assertThat(c.closeReason()).isNotBlank();
            if (token != null) {
                assertThat(c.closeReason()).doesNotContain(token);
            }
            // No session was started: no welcome, nothing at all.
            assertThat(c.drain(Duration.ofMillis(100))).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}: refused by the gateway that accepts query tokens too")
    @MethodSource("badTokens")
    void badQueryTokenGets401(String name, String token) {
        TokenPlace place = token == null ? TokenPlace.NONE : TokenPlace.QUERY;
        HandshakeRefused refused = catchThrowableOfType(HandshakeRefused.class,
                () -> JdkWsClient.connect(queryGw.wsUri(), token, place, null).close());
        assertThat(refused).as(name + " must be refused before the upgrade").isNotNull();
        assertThat(refused.status).isEqualTo(401);
    }

    // ---------------------------------------------------------------- good tokens

    private static JsonNode welcome(JdkWsClient c) {
        JsonNode w = c.next();
        assertThat(w.path("type").asText()).isEqualTo("welcome");
        assertThat(w.path("session").asText()).isNotEmpty();
        return w;
    }

    @Test
    void hs384WithTheRightSecretIsAccepted() {
        try (JdkWsClient c = JdkWsClient.connect(gw.wsUri(), hs384Token())) {
            assertThat(c.nextOfType("welcome").path("type").asText()).isEqualTo("welcome");
        }
    }

    @Test
    void goodTokenInAuthorizationHeaderIsAccepted() {
        long before = System.currentTimeMillis();
        try (JdkWsClient c = JdkWsClient.connect(gw.wsUri(), gw.token("alice", "account:1"))) {
            JsonNode w = welcome(c);
            assertThat(w.path("node").asText()).isEqualTo("gw-test");
            // expires_at is the token's exp in ms (exp has one-second resolution).
            assertThat(w.path("expires_at").asLong()).isBetween(before + 3_600_000 - 2_000, before + 3_600_000 + 60_000);
            c.send("{\"op\":\"ping\",\"id\":1}");
            assertThat(c.nextOfType("pong").path("id").asInt()).isEqualTo(1);
        }
    }

    @Test
    void goodTokenInHeaderFromAllowedOriginIsAccepted() {
        try (JdkWsClient c = JdkWsClient.connect(gw.wsUri(), gw.token("alice"), TokenPlace.HEADER, TestGateway.ALLOWED_ORIGIN)) {
            welcome(c);
        }
    }

    @Test
    void goodTokenInSubprotocolIsAcceptedAndNeverEchoed() {
        String token = gw.token("bob", "account:1");
        try (JdkWsClient c = JdkWsClient.connect(gw.wsUri(), token, TokenPlace.SUBPROTOCOL, null)) {
            assertThat(c.subprotocol()).isEqualTo("tickwire.v1");
            welcome(c);
        }
    }

    @Test
    void goodTokenInSubprotocolFromAllowedOriginIsAcceptedAndNeverEchoed() {
        String token = gw.token("bob", "account:1");
        try (JdkWsClient c = JdkWsClient.connect(gw.wsUri(), token, TokenPlace.SUBPROTOCOL, TestGateway.ALLOWED_ORIGIN)) {
            assertThat(c.subprotocol()).isEqualTo("tickwire.v1");
            welcome(c);
            c.send("{\"op\":\"ping\",\"id\":\"p\"}");
            assertThat(c.nextOfType("pong").path("id").asText()).isEqualTo("p");
        }
    }

    @Test
    void queryTokenIsRefusedByDefaultInServeMode() {
        String token = gw.token("carol");
        HandshakeRefused refused = catchThrowableOfType(HandshakeRefused.class,
                () -> JdkWsClient.connect(gw.wsUri(), token, TokenPlace.QUERY, null).close());
        assertThat(refused).as("?token= must be ignored unless auth.allow-query-token").isNotNull();
        assertThat(refused.status).isEqualTo(401);
    }

    @Test
    void queryTokenFromBrowserIsRefusedWith4001ByDefaultInServeMode() {
        try (JdkWsClient c = JdkWsClient.connect(gw.wsUri(), gw.token("carol"), TokenPlace.QUERY, TestGateway.ALLOWED_ORIGIN)) {
            assertThat(c.awaitClose(CLOSE_WAIT)).isEqualTo(4001);
            assertThat(c.drain(Duration.ofMillis(100))).isEmpty();
        }
    }

    @Test
    void queryTokenIsAcceptedWhenConfigured() {
        try (JdkWsClient c = JdkWsClient.connect(queryGw.wsUri(), queryGw.token("carol"), TokenPlace.QUERY, null)) {
            welcome(c);
        }
        try (JdkWsClient c = JdkWsClient.connect(queryGw.wsUri(), queryGw.token("carol"), TokenPlace.QUERY, TestGateway.ALLOWED_ORIGIN)) {
            welcome(c);
        }
    }

    // ---------------------------------------------------------------- origins

    @Test
    void disallowedOriginGets403EvenWithAGoodToken() {
        for (TokenPlace place : List.of(TokenPlace.HEADER, TokenPlace.SUBPROTOCOL)) {
            HandshakeRefused refused = catchThrowableOfType(HandshakeRefused.class,
                    () -> JdkWsClient.connect(gw.wsUri(), gw.token("mallory", "account:1"), place, EVIL_ORIGIN).close());
            assertThat(refused).as("token in " + place).isNotNull();
            assertThat(refused.status).as("token in " + place).isEqualTo(403);
        }
    }

    @Test
    void disallowedOriginGets403WithABadToken() {
        HandshakeRefused refused = catchThrowableOfType(HandshakeRefused.class,
                () -> JdkWsClient.connect(gw.wsUri(), expiredToken(), TokenPlace.SUBPROTOCOL, EVIL_ORIGIN).close());
        assertThat(refused).isNotNull();
        assertThat(refused.status).isEqualTo(403);
    }

    // ---------------------------------------------------------------- logs

    @Test
    void tokensNeverAppearInLogsEvenAtDebug() {
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        List<Logger> loggers = List.of((Logger) LoggerFactory.getLogger("io.tickwire"), (Logger) LoggerFactory.getLogger("io.netty"));
        List<Level> levels = new ArrayList<>();
        List<Boolean> additive = new ArrayList<>();
        for (Logger l : loggers) {
            levels.add(l.getLevel());
            additive.add(l.isAdditive());
            l.setLevel(Level.DEBUG);
            l.setAdditive(false);
            l.addAppender(captured);
        }
        List<String> tokens = new ArrayList<>();
        try {
            for (Arguments a : badTokens().toList()) {
                String token = (String) a.get()[1];
                if (token == null) {
                    continue;
                }
                tokens.add(token);
                catchThrowableOfType(HandshakeRefused.class, () -> JdkWsClient.connect(gw.wsUri(), token, TokenPlace.HEADER, null).close());
                catchThrowableOfType(HandshakeRefused.class, () -> JdkWsClient.connect(queryGw.wsUri(), token, TokenPlace.QUERY, null).close());
                try (JdkWsClient c = JdkWsClient.connect(gw.wsUri(), token, TokenPlace.SUBPROTOCOL, TestGateway.ALLOWED_ORIGIN)) {
                    assertThat(c.awaitClose(CLOSE_WAIT)).isEqualTo(4001);
                }
            }
            String good = gw.token("logged", "account:1");
            tokens.add(good);
            try (JdkWsClient c = JdkWsClient.connect(gw.wsUri(), good, TokenPlace.SUBPROTOCOL, TestGateway.ALLOWED_ORIGIN)) {
                welcome(c);
                c.send("{\"op\":\"subscribe\",\"id\":1,\"rooms\":[\"account:2\"]}");
                c.nextOfType("error");
            }
            String query = queryGw.token("logged-q");
            tokens.add(query);
            try (JdkWsClient c = JdkWsClient.connect(queryGw.wsUri(), query, TokenPlace.QUERY, null)) {
                welcome(c);
            }
        } finally {
            for (int i = 0; i < loggers.size(); i++) {
                loggers.get(i).detachAppender(captured);
                loggers.get(i).setLevel(levels.get(i));
                loggers.get(i).setAdditive(additive.get(i));
            }
            captured.stop();
        }
        for (ILoggingEvent e : List.copyOf(captured.list)) {
            String text = e.getFormattedMessage() + (e.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(e.getThrowableProxy()));
            for (String t : tokens) {
                // The signature (or, for unsigned tokens, the claims) is what must never be written down.
                String[] parts = t.split("\\.");
                String secretPart = parts.length == 3 && !parts[2].isEmpty() ? parts[2] : t;
                assertThat(text).as("log line from %s", e.getLoggerName()).doesNotContain(secretPart);
            }
        }
    }

    // ---------------------------------------------------------------- grants

    private static String eventsBody(String... roomsAndCounters) {
        StringBuilder b = new StringBuilder("{\"events\":[");
        for (int i = 0; i < roomsAndCounters.length; i += 2) {
            b.append(i == 0 ? "" : ",").append("{\"room\":\"").append(roomsAndCounters[i])
                    .append("\",\"data\":{\"n\":").append(roomsAndCounters[i + 1]).append("}}");
        }
        return b.append("]}").toString();
    }

    @Test
    void roomNotGrantedIsForbiddenAndItsEventsNeverArrive() {
        // account:2 has history before anyone asks for it: a refused subscribe must not replay or snapshot it.
        assertThat(gw.publish(eventsBody("account:2", "100", "account:2", "101")).statusCode()).isEqualTo(200);

        try (JdkWsClient witness = JdkWsClient.connect(gw.wsUri(), gw.token("owner2", "account:2"));
             JdkWsClient c = JdkWsClient.connect(gw.wsUri(), gw.token("owner1", "account:1"))) {
            welcome(witness);
            welcome(c);
            witness.send("{\"op\":\"subscribe\",\"id\":\"w\",\"rooms\":[\"account:2\"]}");
            JsonNode witnessSub = witness.nextOfType("subscribed");
            assertThat(witnessSub.path("room").asText()).isEqualTo("account:2");
            String epoch = witnessSub.path("epoch").asText();

            // Alone, with a resume point, and together with a granted room: always forbidden.
            c.send("{\"op\":\"subscribe\",\"id\":1,\"rooms\":[\"account:2\"]}");
            JsonNode err = c.next();
            assertThat(err.path("type").asText()).isEqualTo("error");
            assertThat(err.path("code").asText()).isEqualTo("forbidden");
            assertThat(err.path("room").asText()).isEqualTo("account:2");
            assertThat(err.path("id").asInt()).isEqualTo(1);

            c.send("{\"op\":\"subscribe\",\"id\":2,\"rooms\":[\"account:2\"],\"resume\":{\"account:2\":{\"seq\":0,\"epoch\":\""
                    + epoch + "\"}}}");
            JsonNode err2 = c.next();
            assertThat(err2.path("type").asText()).isEqualTo("error");
            assertThat(err2.path("code").asText()).isEqualTo("forbidden");
            assertThat(err2.path("room").asText()).isEqualTo("account:2");

            c.send("{\"op\":\"subscribe\",\"id\":3,\"rooms\":[\"account:2\",\"account:1\"]}");
            List<JsonNode> replies = List.of(c.next(), c.next());
            JsonNode forbidden = replies.stream().filter(n -> n.path("type").asText().equals("error")).findFirst().orElseThrow();
            JsonNode subscribed = replies.stream().filter(n -> n.path("type").asText().equals("subscribed")).findFirst().orElseThrow();
            assertThat(forbidden.path("room").asText()).isEqualTo("account:2");
            assertThat(forbidden.path("code").asText()).isEqualTo("forbidden");
            assertThat(forbidden.path("id").asInt()).isEqualTo(3);
            assertThat(subscribed.path("room").asText()).isEqualTo("account:1");
            assertThat(subscribed.path("id").asInt()).isEqualTo(3);

            // Interleaved publishing to both rooms, in a batch and one by one.
            assertThat(gw.publish(eventsBody("account:2", "0", "account:1", "0", "account:2", "1", "account:1", "1",
                    "account:2", "2", "account:1", "2")).statusCode()).isEqualTo(200);
            for (int n = 3; n < 6; n++) {
                assertThat(gw.publish("{\"room\":\"account:2\",\"data\":{\"n\":" + n + "}}").statusCode()).isEqualTo(200);
                assertThat(gw.publish("{\"room\":\"account:1\",\"data\":{\"n\":" + n + "}}").statusCode()).isEqualTo(200);
            }

            // The witness proves account:2's events were delivered to whoever may see them.
            List<Integer> witnessed = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                JsonNode e = witness.nextOfType("event");
                assertThat(e.path("room").asText()).isEqualTo("account:2");
                witnessed.add(e.path("data").path("n").asInt());
            }
            assertThat(witnessed).containsExactly(0, 1, 2, 3, 4, 5);

            List<Integer> got = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                JsonNode e = c.nextOfType("event");
                assertThat(e.path("room").asText()).isEqualTo("account:1");
                got.add(e.path("data").path("n").asInt());
            }
            assertThat(got).containsExactly(0, 1, 2, 3, 4, 5);

            List<JsonNode> rest = c.drain(Duration.ofMillis(500));
            assertThat(rest).noneMatch(n -> n.path("room").asText().equals("account:2"));
            assertThat(rest).noneMatch(n -> n.path("type").asText().equals("event"));
            assertThat(c.isClosed()).isFalse();
        }
    }

    @Test
    void kindGrantAllowsEveryRoomOfThatKindOnly() {
        try (JdkWsClient c = JdkWsClient.connect(gw.wsUri(), gw.token("kindy", "account:*"))) {
            welcome(c);
            c.send("{\"op\":\"subscribe\",\"id\":1,\"rooms\":[\"account:77\"]}");
            JsonNode sub = c.next();
            assertThat(sub.path("type").asText()).isEqualTo("subscribed");
            assertThat(sub.path("room").asText()).isEqualTo("account:77");
            assertThat(sub.path("mode").asText()).isEqualTo("reliable");

            c.send("{\"op\":\"subscribe\",\"id\":2,\"rooms\":[\"orders:77\"]}");
            JsonNode err = c.next();
            assertThat(err.path("type").asText()).isEqualTo("error");
            assertThat(err.path("code").asText()).isEqualTo("forbidden");
            assertThat(err.path("room").asText()).isEqualTo("orders:77");

            assertThat(gw.publish(eventsBody("orders:77", "1", "account:77", "1")).statusCode()).isEqualTo(200);
            JsonNode e = c.nextOfType("event");
            assertThat(e.path("room").asText()).isEqualTo("account:77");
            assertThat(e.path("data").path("n").asInt()).isEqualTo(1);
            assertThat(c.drain(Duration.ofMillis(300))).noneMatch(n -> n.path("room").asText().equals("orders:77"));
        }
    }
}
