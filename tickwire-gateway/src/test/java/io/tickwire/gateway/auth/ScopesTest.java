package io.tickwire.gateway.auth;

import static io.tickwire.gateway.auth.AuthFixtures.hmac;
import static io.tickwire.gateway.auth.AuthFixtures.welcome;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWTClaimsSet;
import io.tickwire.gateway.testing.JdkWsClient;
import io.tickwire.gateway.testing.TestGateway;
import java.net.http.HttpResponse;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Publish scopes (issue 3, "Scopes"; contract §7): {@code scope} as a space-separated string or a list;
 * {@code tickwire:publish} publishes to any kind, {@code tickwire:publish:<kind>} to that kind only (a
 * market-data service cannot post fills), anything else gets 403 and publishes nothing.
 */
class ScopesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PUBLISH = "/api/v1/publish";

    static TestGateway gw;

    @BeforeAll
    static void start() {
        gw = TestGateway.start();
    }

    @AfterAll
    static void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    private static String withScope(Object scope) {
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder().subject("svc").issueTime(new Date())
                .expirationTime(new Date(System.currentTimeMillis() + 3_600_000));
        if (scope != null) {
            b.claim("scope", scope);
        }
        return hmac(JWSAlgorithm.HS256, TestGateway.SECRET, b.build());
    }

    private static HttpResponse<String> publish(String token, String room) {
        return gw.post(PUBLISH, token, "{\"room\":\"" + room + "\",\"data\":{\"x\":1}}");
    }

    private static void assertPublishes(String token, String room) {
        HttpResponse<String> r = publish(token, room);
        assertThat(r.statusCode()).as(room + ": %s", r.body()).isEqualTo(200);
    }

    private static JsonNode assertForbidden(String token, String room) {
        HttpResponse<String> r = publish(token, room);
        assertThat(r.statusCode()).as(room + ": %s", r.body()).isEqualTo(403);
        try {
            JsonNode err = JSON.readTree(r.body()).path("error");
            assertThat(err.path("code").asText()).isEqualTo("forbidden");
            return err;
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + r.body(), e);
        }
    }

    @Test
    void kindLimitedScopePublishesThatKindOnly() {
        String price = withScope("tickwire:publish:price");
        assertForbidden(price, "trades:X");
        assertForbidden(price, "account:42");
        assertForbidden(price, "orders:42");
        assertPublishes(price, "price:X");
    }

    @Test
    void scopeAsAJsonListWorks() {
        String trades = withScope(List.of("tickwire:publish:trades"));
        assertPublishes(trades, "trades:X");
        assertForbidden(trades, "price:X");
        String both = withScope(List.of("openid", "tickwire:publish:price", "tickwire:publish:trades"));
        assertPublishes(both, "price:X");
        assertPublishes(both, "trades:X");
        assertForbidden(both, "account:42");
        assertPublishes(withScope(List.of("tickwire:publish")), "account:42");
    }

    @Test
    void scopeAsASpaceSeparatedStringWorks() {
        String s = withScope("openid  profile tickwire:publish:price\ttickwire:publish:orders");
        assertPublishes(s, "price:X");
        assertPublishes(s, "orders:42");
        assertForbidden(s, "account:42");
        String any = withScope(" openid tickwire:publish ");
        for (String room : List.of("price:X", "book:X", "trades:X", "account:42", "orders:42")) {
            assertPublishes(any, room);
        }
    }

    @Test
    void lookalikeScopesPublishNothing() {
        for (Object scope : new Object[] {null, "", "openid", "tickwire:publisher", "tickwire:publish:pricey",
                "TICKWIRE:PUBLISH", "tickwire:publish:", "tickwire:publish:PRICE", "tickwire:admin",
                "tickwire:publish:price,tickwire:publish:trades", List.of("tickwire:publish:price tickwire:publish:trades")}) {
            String token = withScope(scope);
            assertForbidden(token, "trades:X");
        }
    }

    @Test
    void scopeOfAnotherTypeMakesTheTokenInvalid() {
        for (Object scope : new Object[] {42, true, List.of(1, 2), List.of("tickwire:publish", 3)}) {
            HttpResponse<String> r = publish(withScope(scope), "price:X");
            assertThat(r.statusCode()).as("scope %s: %s", scope, r.body()).isEqualTo(401);
        }
    }

    @Test
    void aBatchWithOneKindOutsideTheScopeIsRefusedWholeAndPublishesNothing() throws Exception {
        try (JdkWsClient c = JdkWsClient.connect(gw.wsUri(), gw.token("watcher"))) {
            welcome(c);
            c.send("{\"op\":\"subscribe\",\"id\":1,\"rooms\":[\"price:BATCH\"]}");
            assertThat(c.nextOfType("subscribed").path("room").asText()).isEqualTo("price:BATCH");

            String price = withScope("tickwire:publish:price");
            HttpResponse<String> r = gw.post(PUBLISH, price, "{\"events\":[{\"room\":\"price:BATCH\",\"data\":{\"n\":1}},"
                    + "{\"room\":\"trades:BATCH\",\"data\":{\"n\":2}}]}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
            assertThat(JSON.readTree(r.body()).path("error").path("index").asInt()).isEqualTo(1);

            assertPublishes(price, "price:BATCH");
            JsonNode e = c.nextOfType("event");
            assertThat(e.path("data").path("x").asInt()).as("the first event is the later publish: %s", e).isEqualTo(1);
            assertThat(e.path("data").has("n")).as("nothing of the refused batch arrived: %s", e).isFalse();
        }
    }

    @Test
    void aConnectionTokenWithoutPublishScopeCannotPublish() {
        assertForbidden(gw.token("alice", "account:1"), "account:1");
    }

    @Test
    void publishWithAnInvalidTokenIs401() {
        HttpResponse<String> r = gw.post(PUBLISH, null, "{\"room\":\"price:X\",\"data\":{}}");
        assertThat(r.statusCode()).isEqualTo(401);
        r = gw.post(PUBLISH, withScope("tickwire:publish") + "x", "{\"room\":\"price:X\",\"data\":{}}");
        assertThat(r.statusCode()).isEqualTo(401);
    }
}
