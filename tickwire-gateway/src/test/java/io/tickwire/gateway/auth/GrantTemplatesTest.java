package io.tickwire.gateway.auth;

import static io.tickwire.gateway.auth.AuthFixtures.assertRefused;
import static io.tickwire.gateway.auth.AuthFixtures.hmac;
import static io.tickwire.gateway.auth.AuthFixtures.welcome;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWTClaimsSet;
import io.tickwire.gateway.config.ConfigException;
import io.tickwire.gateway.testing.JdkWsClient;
import io.tickwire.gateway.testing.TestGateway;
import java.time.Duration;
import java.util.ArrayList;
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

/**
 * Grants from an identity provider's existing tokens (issue 3, "Grants"): {@code auth.grant-templates}
 * {@code account:{sub},orders:{accounts}} turn {@code sub: "42"} into {@code account:42} and
 * {@code accounts: ["7","8"]} into {@code orders:7} and {@code orders:8}; a room outside them gets
 * {@code forbidden} and none of its events; a claim value that makes no valid room makes the token invalid.
 * Also the configurable grants claim ({@code auth.rooms-claim}) and templates with a prefix and suffix.
 */
class GrantTemplatesTest {

    static TestGateway gw;
    static TestGateway affixed;

    @BeforeAll
    static void start() {
        gw = TestGateway.start(Map.of("TICKWIRE_AUTH_GRANT_TEMPLATES", "account:{sub},orders:{accounts}"));
        affixed = TestGateway.start(Map.of("TICKWIRE_AUTH_GRANT_TEMPLATES", "account:acct-{sub}-main",
                "TICKWIRE_AUTH_ROOMS_CLAIM", "grants"));
    }

    @AfterAll
    static void stop() {
        if (affixed != null) {
            affixed.close();
        }
        if (gw != null) {
            gw.close();
        }
    }

    /** A token with only sub, iat, exp and {@code extra} claims: no rooms claim unless given. */
    private static String token(String sub, Map<String, Object> extra) {
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder().subject(sub).issueTime(new Date())
                .expirationTime(new Date(System.currentTimeMillis() + 3_600_000));
        extra.forEach(b::claim);
        return hmac(JWSAlgorithm.HS256, TestGateway.SECRET, b.build());
    }

    private static JdkWsClient connect(TestGateway g, String token) {
        JdkWsClient c = JdkWsClient.connect(g.wsUri(), token);
        welcome(c);
        return c;
    }

    private static int ids;

    /** Subscribes to one room; returns the reply (subscribed or error). */
    private static JsonNode subscribe(JdkWsClient c, String room) {
        int id = ++ids;
        c.send("{\"op\":\"subscribe\",\"id\":" + id + ",\"rooms\":[\"" + room + "\"]}");
        JsonNode reply = c.next(m -> m.path("id").asInt() == id
                && ("subscribed".equals(m.path("type").asText()) || "error".equals(m.path("type").asText())), Duration.ofSeconds(10));
        assertThat(reply.path("room").asText()).isEqualTo(room);
        return reply;
    }

    private static void assertGranted(JdkWsClient c, String room) {
        JsonNode r = subscribe(c, room);
        assertThat(r.path("type").asText()).as(room + ": %s", r).isEqualTo("subscribed");
    }

    private static void assertForbidden(JdkWsClient c, String room) {
        JsonNode r = subscribe(c, room);
        assertThat(r.path("type").asText()).as(room + ": %s", r).isEqualTo("error");
        assertThat(r.path("code").asText()).as(room).isEqualTo("forbidden");
    }

    private static void publish(TestGateway g, String room, int n) {
        assertThat(g.publish("{\"room\":\"" + room + "\",\"data\":{\"n\":" + n + "}}").statusCode()).isEqualTo(200);
    }

    /** The rooms of the events that arrive within {@code quiet}. */
    private static List<String> eventRooms(JdkWsClient c, Duration quiet) {
        List<String> rooms = new ArrayList<>();
        for (JsonNode m : c.drain(quiet)) {
            if ("event".equals(m.path("type").asText())) {
                rooms.add(m.path("room").asText() + "#" + m.path("data").path("n").asInt());
            }
        }
        return rooms;
    }

    // ---------------------------------------------------------------- templates over sub

    @Test
    void subTemplateGrantsTheOwnAccountAndNoOther() {
        try (JdkWsClient c = connect(gw, token("42", Map.of()))) {
            assertGranted(c, "account:42");
            assertForbidden(c, "account:43");
            assertForbidden(c, "account:420");
            assertForbidden(c, "account:4");
            assertForbidden(c, "orders:42");
            publish(gw, "account:43", 1);
            publish(gw, "account:42", 2);
            JsonNode e = c.nextOfType("event");
            assertThat(e.path("room").asText()).isEqualTo("account:42");
            assertThat(e.path("data").path("n").asInt()).isEqualTo(2);
            assertThat(eventRooms(c, Duration.ofMillis(300))).isEmpty();
        }
    }

    // ---------------------------------------------------------------- templates over a list claim

    @Test
    void listTemplateGrantsOneRoomPerElement() {
        try (JdkWsClient c = connect(gw, token("u1", Map.of("accounts", List.of("7", "8"))))) {
            assertGranted(c, "orders:7");
            assertGranted(c, "orders:8");
            assertForbidden(c, "orders:9");
            assertForbidden(c, "account:7");
            assertGranted(c, "account:u1");
            publish(gw, "orders:9", 1);
            publish(gw, "orders:7", 2);
            publish(gw, "orders:8", 3);
            List<String> got = new ArrayList<>();
            got.add(c.nextOfType("event").path("room").asText());
            got.add(c.nextOfType("event").path("room").asText());
            assertThat(got).containsExactly("orders:7", "orders:8");
            assertThat(eventRooms(c, Duration.ofMillis(300))).isEmpty();
        }
    }

    @Test
    void listTemplateTakesNumbersAndASingleString() {
        try (JdkWsClient c = connect(gw, token("u2", Map.of("accounts", List.of(7, 8))))) {
            assertGranted(c, "orders:7");
            assertGranted(c, "orders:8");
            assertForbidden(c, "orders:9");
        }
        try (JdkWsClient c = connect(gw, token("u3", Map.of("accounts", "7")))) {
            assertGranted(c, "orders:7");
            assertForbidden(c, "orders:8");
        }
    }

    @Test
    void absentTemplateClaimGrantsNothingButTheTokenIsValid() {
        try (JdkWsClient c = connect(gw, token("u4", Map.of()))) {
            assertForbidden(c, "orders:7");
            assertGranted(c, "account:u4");
            assertGranted(c, "price:AAPL"); // authenticated kinds need no grant
        }
    }

    @Test
    void templatesAddToTheRoomsClaim() {
        try (JdkWsClient c = connect(gw, token("42", Map.of("rooms", List.of("account:99", "orders:*"), "accounts", List.of("7"))))) {
            assertGranted(c, "account:42");
            assertGranted(c, "account:99");
            assertGranted(c, "orders:7");
            assertGranted(c, "orders:12345");
            assertForbidden(c, "account:43");
        }
    }

    // ---------------------------------------------------------------- values that make no valid room

    static Stream<Arguments> invalidGrants() {
        return Stream.of(
                Arguments.of("sub with a space", "a b", Map.of()),
                Arguments.of("sub '*' (would read as the kind grant account:*)", "*", Map.of()),
                Arguments.of("sub with a colon", "42:43", Map.of()),
                Arguments.of("sub of 65 characters", "x".repeat(65), Map.of()),
                Arguments.of("sub with a slash", "42/43", Map.of()),
                Arguments.of("accounts element with a space", "ok", Map.of("accounts", List.of("7", "bad room"))),
                Arguments.of("accounts element '*'", "ok", Map.of("accounts", List.of("*"))),
                Arguments.of("accounts element empty", "ok", Map.of("accounts", List.of(""))),
                Arguments.of("accounts element an object", "ok", Map.of("accounts", List.of(Map.of("id", "7")))),
                Arguments.of("accounts element a boolean", "ok", Map.of("accounts", List.of(true))),
                Arguments.of("accounts an object", "ok", Map.of("accounts", Map.of("a", "7"))),
                Arguments.of("accounts a boolean", "ok", Map.of("accounts", true)),
                Arguments.of("rooms claim with a malformed room", "ok", Map.of("rooms", List.of("account:1", "not a room"))));
    }

    @ParameterizedTest(name = "{0}: 401 / 4001")
    @MethodSource("invalidGrants")
    void claimValueThatMakesNoValidRoomMakesTheTokenInvalid(String what, String sub, Map<String, Object> claims) {
        assertRefused(gw.wsUri(), token(sub, claims), what);
    }

    // ---------------------------------------------------------------- configuration

    @Test
    void templateWithPrefixAndSuffixAndAnotherGrantsClaim() {
        try (JdkWsClient c = connect(affixed, token("42", Map.of("grants", List.of("orders:5"), "rooms", List.of("orders:6"))))) {
            assertGranted(c, "account:acct-42-main");
            assertForbidden(c, "account:42");
            assertGranted(c, "orders:5");
            assertForbidden(c, "orders:6"); // "rooms" is no longer the grants claim
        }
        assertRefused(affixed.wsUri(), token("a b", Map.of()), "sub with a space in an affixed template");
        assertRefused(affixed.wsUri(), token("ok", Map.of("grants", List.of("bad grant"))), "malformed room in the grants claim");
    }

    @Test
    void malformedTemplatesAreRefusedAtStartNamingTheKey() {
        for (String bad : List.of("account:{sub}{x}", "account:{}", "account:sub", "Account:{sub}", "account:{sub", "{sub}:x")) {
            Throwable t = catchThrowable(() -> TestGateway.start(Map.of("TICKWIRE_AUTH_GRANT_TEMPLATES", bad)).close());
            assertThat(t).as("template " + bad).isInstanceOf(ConfigException.class);
            assertThat(t.getMessage()).as("template " + bad).contains("auth.grant-templates");
        }
    }
}
