package io.tickwire.gateway.auth;

import static io.tickwire.gateway.auth.AuthFixtures.assertAccepted;
import static io.tickwire.gateway.auth.AuthFixtures.assertRefused;
import static io.tickwire.gateway.auth.AuthFixtures.b64;
import static io.tickwire.gateway.auth.AuthFixtures.handshakeStatus;
import static io.tickwire.gateway.auth.AuthFixtures.sign;
import static io.tickwire.gateway.auth.AuthFixtures.welcome;
import static io.tickwire.gateway.auth.AuthFixtures.writePem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64;
import com.nimbusds.jose.util.X509CertUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import io.tickwire.gateway.testing.JdkWsClient;
import io.tickwire.gateway.testing.JdkWsClient.HandshakeRefused;
import io.tickwire.gateway.testing.JdkWsClient.TokenPlace;
import io.tickwire.gateway.testing.JwksServer;
import io.tickwire.gateway.testing.TestGateway;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Attacks on token verification (issue 3, "Attacks"), against three gateways: an RSA PEM key only; an HMAC
 * secret and the same RSA key; a JWKS holding that RSA key (kid k1). All three check {@code iss},
 * {@code aud} and require {@code iat}. Each attack is refused with 401 before the upgrade (4001 for a
 * browser-style request) and with 401 by the publish API; no key is fetched from the token's own
 * {@code jku} or {@code x5u}; and a client subscribed before the attack keeps receiving events.
 */
class AttacksTest {

    static final String ISSUER = "https://idp.example";
    static final String AUDIENCE = "tickwire";

    @TempDir
    static Path dir;

    static RSAKey rsa; // the real issuer's key: PEM file on two gateways, kid k1 in the JWKS of the third
    static RSAKey attacker;
    static AuthFixtures.Certificate attackerCert;
    static Path rsaPemFile;

    static JwksServer realJwks;
    static JwksServer attackerJwks; // what jku points to
    static JwksServer attackerX5u; // what x5u points to

    /** A gateway under attack, how its issuer signs good tokens, and a client subscribed before the attacks. */
    record Target(String name, TestGateway gw, Function<JWTClaimsSet, String> issuer, Function<String, String> rawIssuer,
                  JdkWsClient watcher, AtomicInteger n) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Target rsaOnly;
    static Target hmacAndRsa;
    static Target jwks;
    static final List<Target> targets = new ArrayList<>();
    private static final Map<Function<JWTClaimsSet, String>, Function<String, String>> rawIssuers = new HashMap<>();

    /** Signs {@code payload} as it is, JSON or not, with the real issuer's key. */
    static String signRaw(JWSHeader header, RSAKey key, String payload) {
        try {
            com.nimbusds.jose.JWSObject o = new com.nimbusds.jose.JWSObject(header, new com.nimbusds.jose.Payload(payload));
            o.sign(new RSASSASigner(key));
            return o.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        rsa = new RSAKeyGenerator(2048).keyID("k1").generate();
        attacker = new RSAKeyGenerator(2048).keyID("evil-1").generate();
        attackerCert = AuthFixtures.selfSigned(dir, "attacker", "RSA", "rsa:2048");
        rsaPemFile = writePem(dir, "issuer.pem", rsa.toPublicKey());

        realJwks = JwksServer.start(new JWKSet(rsa));
        attackerJwks = JwksServer.start(new JWKSet(attacker));
        attackerX5u = JwksServer.startText("application/pkix-cert", Files.readString(attackerCert.certFile()));

        // PEM gateways: tokens without kid (KeyTypesTest covers tokens that carry one)
        RSAKey noKid = new RSAKey.Builder(rsa).keyID(null).build();
        Function<JWTClaimsSet, String> pemIssuer = c -> sign(JWSAlgorithm.RS256, noKid, c);
        Function<JWTClaimsSet, String> jwksIssuer = c -> AuthFixtures.signWithKid(JWSAlgorithm.RS256, rsa, c);
        rawIssuers.put(pemIssuer, p -> signRaw(new JWSHeader(JWSAlgorithm.RS256), noKid, p));
        rawIssuers.put(jwksIssuer, p -> signRaw(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").build(), rsa, p));

        rsaOnly = target("RSA PEM only", Map.of("TICKWIRE_AUTH_HMAC_SECRET", "",
                "TICKWIRE_AUTH_PUBLIC_KEY_FILE", rsaPemFile.toString()), pemIssuer);
        hmacAndRsa = target("HMAC secret + RSA PEM", Map.of("TICKWIRE_AUTH_PUBLIC_KEY_FILE", rsaPemFile.toString()), pemIssuer);
        jwks = target("JWKS", Map.of("TICKWIRE_AUTH_HMAC_SECRET", "",
                "TICKWIRE_AUTH_JWKS_URL", realJwks.uri().toString()), jwksIssuer);
    }

    private static Target target(String name, Map<String, String> keys, Function<JWTClaimsSet, String> issuer) {
        Map<String, String> env = new HashMap<>(keys);
        env.put("TICKWIRE_AUTH_ISSUER", ISSUER);
        env.put("TICKWIRE_AUTH_AUDIENCE", AUDIENCE);
        env.put("TICKWIRE_AUTH_REQUIRE_IAT", "true");
        TestGateway gw = TestGateway.start(env);
        JdkWsClient watcher;
        try {
            watcher = JdkWsClient.connect(gw.wsUri(), issuer.apply(good("watcher").build()));
        } catch (RuntimeException e) {
            gw.close();
            throw e;
        }
        Target t = new Target(name, gw, issuer, rawIssuers.get(issuer), watcher, new AtomicInteger());
        targets.add(t);
        welcome(watcher);
        watcher.send("{\"op\":\"subscribe\",\"id\":1,\"rooms\":[\"price:WATCH\"]}");
        assertThat(watcher.nextOfType("subscribed").path("room").asText()).isEqualTo("price:WATCH");
        return t;
    }

    @AfterAll
    static void stop() {
        for (Target t : targets) {
            t.watcher().close();
            t.gw().close();
        }
        targets.clear();
        for (JwksServer s : new JwksServer[] {realJwks, attackerJwks, attackerX5u}) {
            if (s != null) {
                s.close();
            }
        }
    }

    // ---------------------------------------------------------------- tokens

    static long now() {
        return System.currentTimeMillis();
    }

    /** Every claim the gateways require: sub, iat, exp in an hour, iss, aud, rooms. */
    static JWTClaimsSet.Builder good(String subject) {
        return new JWTClaimsSet.Builder().subject(subject).issueTime(new Date(now())).expirationTime(new Date(now() + 3_600_000))
                .issuer(ISSUER).audience(AUDIENCE).claim("rooms", List.of("account:1"));
    }

    static String goodPayload() {
        return good("eve").build().toString();
    }

    /** {@code text} with the first match of {@code regex} replaced; fails if nothing matched. */
    static String edit(String text, String regex, String replacement) {
        String edited = text.replaceFirst(regex, java.util.regex.Matcher.quoteReplacement(replacement));
        if (edited.equals(text)) {
            throw new IllegalStateException("no " + regex + " in " + text);
        }
        return edited;
    }

    static String unsigned(String headerJson, String payloadJson, String signature) {
        return b64(headerJson) + "." + b64(payloadJson) + "." + signature;
    }

    static String hmacWith(byte[] key, JWTClaimsSet claims) {
        try {
            return sign(new JWSHeader(JWSAlgorithm.HS256), new MACSigner(key), claims);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    static JWSSigner attackerSigner() {
        try {
            return new RSASSASigner(attacker);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A legitimately signed token padded with a claim to {@code chars} characters or a little more. */
    static String padded(Target t, int chars) {
        String pad = "x".repeat(chars * 3 / 4);
        return t.issuer().apply(good("big").claim("pad", pad).build());
    }

    /** Name and token of each attack on {@code t}. */
    static List<Arguments> attacks(Target t) throws Exception {
        List<Arguments> a = new ArrayList<>();
        String legit = t.issuer().apply(good("eve").build());
        String[] parts = legit.split("\\.");
        String payload = goodPayload();

        // alg:none and friends
        a.add(Arguments.of(t, "alg none", unsigned("{\"alg\":\"none\"}", payload, "")));
        a.add(Arguments.of(t, "alg none, typ JWT", unsigned("{\"alg\":\"none\",\"typ\":\"JWT\"}", payload, "")));
        a.add(Arguments.of(t, "alg None", unsigned("{\"alg\":\"None\"}", payload, "")));
        a.add(Arguments.of(t, "alg NONE", unsigned("{\"alg\":\"NONE\"}", payload, "")));
        a.add(Arguments.of(t, "alg none with the real signature", unsigned("{\"alg\":\"none\"}", payload, parts[2])));
        a.add(Arguments.of(t, "real header and payload, signature stripped", parts[0] + "." + parts[1] + "."));
        a.add(Arguments.of(t, "alg none, two parts only", b64("{\"alg\":\"none\"}") + "." + b64(payload)));

        // HS/RS confusion: HS256 keyed with the RSA public key as the attacker can get it
        String pem = AuthFixtures.pem(rsa.toPublicKey());
        a.add(Arguments.of(t, "HS256 keyed with the RSA public key's PEM text", hmacWith(pem.getBytes(StandardCharsets.US_ASCII), good("eve").build())));
        a.add(Arguments.of(t, "HS256 keyed with the PEM file's bytes", hmacWith(Files.readAllBytes(rsaPemFile), good("eve").build())));
        a.add(Arguments.of(t, "HS256 keyed with the PEM text, trimmed", hmacWith(pem.trim().getBytes(StandardCharsets.US_ASCII), good("eve").build())));
        a.add(Arguments.of(t, "HS256 keyed with the RSA public key's DER", hmacWith(rsa.toPublicKey().getEncoded(), good("eve").build())));
        a.add(Arguments.of(t, "HS256 keyed with the public JWK's JSON",
                hmacWith(rsa.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8), good("eve").build())));
        a.add(Arguments.of(t, "HS256 keyed with the JWKS document", hmacWith(new JWKSet(rsa).toPublicJWKSet().toString()
                .getBytes(StandardCharsets.UTF_8), good("eve").build())));
        a.add(Arguments.of(t, "HS256 keyed with the RSA modulus", hmacWith(rsa.getModulus().decode(), good("eve").build())));

        // keys named by the token itself
        RSAKey attackerPublic = attacker.toPublicJWK();
        a.add(Arguments.of(t, "embedded jwk (attacker's key), signed with it",
                sign(new JWSHeader.Builder(JWSAlgorithm.RS256).jwk(attackerPublic).build(), attackerSigner(), good("eve").build())));
        a.add(Arguments.of(t, "embedded jwk under the real kid k1",
                sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").jwk(new RSAKey.Builder(attackerPublic).keyID("k1").build()).build(),
                        attackerSigner(), good("eve").build())));
        a.add(Arguments.of(t, "jku to the attacker's JWKS, attacker's kid",
                sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("evil-1").jwkURL(attackerJwks.uri()).build(),
                        attackerSigner(), good("eve").build())));
        a.add(Arguments.of(t, "jku to the attacker's JWKS, real kid k1",
                sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").jwkURL(attackerJwks.uri("/k1.json")).build(),
                        attackerSigner(), good("eve").build())));
        a.add(Arguments.of(t, "jku to the attacker's JWKS, no kid",
                sign(new JWSHeader.Builder(JWSAlgorithm.RS256).jwkURL(attackerJwks.uri("/nokid.json")).build(),
                        attackerSigner(), good("eve").build())));
        RSASSASigner certSigner = new RSASSASigner(attackerCert.privateKey());
        a.add(Arguments.of(t, "x5u to the attacker's certificate",
                sign(new JWSHeader.Builder(JWSAlgorithm.RS256).x509CertURL(attackerX5u.uri("/cert.pem")).build(),
                        certSigner, good("eve").build())));
        a.add(Arguments.of(t, "x5c with the attacker's certificate",
                sign(new JWSHeader.Builder(JWSAlgorithm.RS256).x509CertChain(List.of(Base64.encode(
                        X509CertUtils.parse(Files.readString(attackerCert.certFile())).getEncoded()))).build(),
                        certSigner, good("eve").build())));
        a.add(Arguments.of(t, "token signed by an unknown RSA key", sign(JWSAlgorithm.RS256, new RSAKey.Builder(attacker).keyID(null).build(),
                good("eve").build())));

        // tampering with a good token
        String escalated = b64(good("eve").claim("rooms", List.of("account:*")).build().toString());
        a.add(Arguments.of(t, "payload swapped after signing (grants widened)", parts[0] + "." + escalated + "." + parts[2]));
        String other = t.issuer().apply(good("mallory").build());
        a.add(Arguments.of(t, "signature transplanted from another good token", parts[0] + "." + parts[1] + "." + other.split("\\.")[2]));
        a.add(Arguments.of(t, "crit naming an unknown header parameter",
                unsigned("{\"alg\":\"RS256\",\"crit\":[\"x-unknown\"],\"x-unknown\":1}", payload, parts[2])));

        // claims
        a.add(Arguments.of(t, "expired an hour ago", t.issuer().apply(good("eve").issueTime(new Date(now() - 7_200_000))
                .expirationTime(new Date(now() - 3_600_000)).build())));
        a.add(Arguments.of(t, "expired beyond the 30 s leeway", t.issuer().apply(good("eve").expirationTime(new Date(now() - 45_000)).build())));
        a.add(Arguments.of(t, "nbf in an hour", t.issuer().apply(good("eve").notBeforeTime(new Date(now() + 3_600_000))
                .expirationTime(new Date(now() + 7_200_000)).build())));
        a.add(Arguments.of(t, "wrong iss", t.issuer().apply(good("eve").issuer("https://evil.example").build())));
        a.add(Arguments.of(t, "iss differing in case", t.issuer().apply(good("eve").issuer("https://IDP.example").build())));
        a.add(Arguments.of(t, "no iss", t.issuer().apply(good("eve").issuer(null).build())));
        a.add(Arguments.of(t, "wrong aud", t.issuer().apply(good("eve").audience("other-service").build())));
        a.add(Arguments.of(t, "aud list without ours", t.issuer().apply(good("eve").audience(List.of("a", "b")).build())));
        a.add(Arguments.of(t, "no aud", t.issuer().apply(good("eve").audience((String) null).build())));
        a.add(Arguments.of(t, "missing exp", t.issuer().apply(good("eve").expirationTime(null).build())));
        a.add(Arguments.of(t, "missing iat (require-iat true)", t.issuer().apply(good("eve").issueTime(null).build())));
        a.add(Arguments.of(t, "missing sub", t.issuer().apply(good("eve").subject(null).build())));
        a.add(Arguments.of(t, "empty sub", t.issuer().apply(good("eve").subject("").build())));

        // size
        a.add(Arguments.of(t, "100 KB token, properly signed", padded(t, 100 * 1024)));
        a.add(Arguments.of(t, "10 KB token, properly signed", padded(t, 10 * 1024)));

        // malformed base64
        a.add(Arguments.of(t, "header not base64url", "eyJ!!!x." + parts[1] + "." + parts[2]));
        a.add(Arguments.of(t, "payload not base64url", parts[0] + ".e*y*J*." + parts[2]));
        a.add(Arguments.of(t, "signature not base64url", parts[0] + "." + parts[1] + ".%%%~~~"));
        a.add(Arguments.of(t, "standard base64 with padding and + /", java.util.Base64.getEncoder().encodeToString(
                "{\"alg\":\"RS256\"}??".getBytes(StandardCharsets.UTF_8)) + "." + parts[1] + "." + parts[2]));
        a.add(Arguments.of(t, "not a JWT", "not-a-jwt"));
        a.add(Arguments.of(t, "three empty parts", ".."));
        a.add(Arguments.of(t, "five parts (JWE-shaped)", parts[0] + "." + parts[1] + "." + parts[2] + ".AAAA.BBBB"));

        // malformed JSON
        a.add(Arguments.of(t, "header JSON truncated", unsigned("{\"alg\":\"RS256\"", payload, parts[2])));
        a.add(Arguments.of(t, "header JSON an array", unsigned("[\"RS256\"]", payload, parts[2])));
        a.add(Arguments.of(t, "header alg a number", unsigned("{\"alg\":256}", payload, parts[2])));
        a.add(Arguments.of(t, "header not UTF-8", AuthFixtures.b64(new byte[] {(byte) 0xff, (byte) 0xfe, '{', '}'}) + "." + parts[1] + "." + parts[2]));
        a.add(Arguments.of(t, "payload JSON truncated", parts[0] + "." + b64("{\"sub\":\"eve\",") + "." + parts[2]));
        a.add(Arguments.of(t, "payload JSON an array", parts[0] + "." + b64("[1,2,3]") + "." + parts[2]));
        a.add(Arguments.of(t, "payload JSON null", parts[0] + "." + b64("null") + "." + parts[2]));
        a.add(Arguments.of(t, "payload exp a string", parts[0] + "." + b64("{\"sub\":\"eve\",\"exp\":\"tomorrow\"}") + "." + parts[2]));
        a.add(Arguments.of(t, "payload deeply nested", parts[0] + "." + b64("{\"a\":" + "[".repeat(2800) + "]".repeat(2800) + "}")
                + "." + parts[2]));
        a.add(Arguments.of(t, "payload deeply nested objects, unsigned", unsigned("{\"alg\":\"none\"}", "{\"a\":".repeat(900)
                + "1" + "}".repeat(900), "")));
        // malformed payloads that carry the real issuer's valid signature: parsed as claims only after it checks out
        a.add(Arguments.of(t, "signed: payload JSON truncated", t.rawIssuer().apply("{\"sub\":\"eve\",")));
        a.add(Arguments.of(t, "signed: payload JSON an array", t.rawIssuer().apply("[1,2,3]")));
        a.add(Arguments.of(t, "signed: payload not JSON", t.rawIssuer().apply("hello")));
        a.add(Arguments.of(t, "signed: payload empty", t.rawIssuer().apply("")));
        a.add(Arguments.of(t, "signed: exp a string", t.rawIssuer().apply(edit(payload, "\"exp\":\\d+", "\"exp\":\"tomorrow\""))));
        a.add(Arguments.of(t, "signed: aud an object", t.rawIssuer().apply(edit(payload, "\"aud\":\"tickwire\"", "\"aud\":{\"a\":1}"))));
        a.add(Arguments.of(t, "signed: rooms an object", t.rawIssuer().apply(edit(payload, "\"rooms\":\\[\"account:1\"\\]",
                "\"rooms\":{\"a\":1}"))));
        a.add(Arguments.of(t, "signed: payload deeply nested", t.rawIssuer().apply(edit(payload, "\\}$",
                ",\"deep\":" + "[".repeat(2500) + "]".repeat(2500) + "}"))));
        return a;
    }

    static Stream<Arguments> everyAttack() throws Exception {
        List<Arguments> all = new ArrayList<>();
        for (Target t : List.of(rsaOnly, hmacAndRsa, jwks)) {
            all.addAll(attacks(t));
        }
        return all.stream();
    }

    // ---------------------------------------------------------------- the attacks, one by one

    /** Publishes one event to the watcher's room and waits for it: the gateway still serves the watcher. */
    private static void watcherStillServed(Target t) {
        int n = t.n().incrementAndGet();
        String publisher = t.issuer().apply(good("publisher").claim("scope", "tickwire:publish").build());
        HttpResponse<String> r = t.gw().post("/api/v1/publish", publisher, "{\"room\":\"price:WATCH\",\"data\":{\"n\":" + n + "}}");
        assertThat(r.statusCode()).as("publish with a good token: %s", r.body()).isEqualTo(200);
        JsonNode e = t.watcher().next(m -> "event".equals(m.path("type").asText()) && m.path("data").path("n").asInt() == n,
                Duration.ofSeconds(10));
        assertThat(e.path("room").asText()).isEqualTo("price:WATCH");
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("everyAttack")
    void attackIsRefusedAndOthersKeepBeingServed(Target t, String attack, String token) {
        int realFetches = realJwks.requests();
        assertRefused(t.gw().wsUri(), token, attack);
        HttpResponse<String> r = t.gw().post("/api/v1/publish", token, "{\"room\":\"price:WATCH\",\"data\":{\"n\":-1}}");
        assertThat(r.statusCode()).as(attack + " on the publish API: %s", r.body()).isEqualTo(401);
        assertThat(r.body()).doesNotContain(token);
        System.out.printf("attack [%s] %s: WS 401/4001, publish %d %s%n", t.name(), attack, r.statusCode(), r.body());

        assertThat(attackerJwks.requests()).as("requests to the attacker's jku server (paths %s)", attackerJwks.paths()).isZero();
        assertThat(attackerX5u.requests()).as("requests to the attacker's x5u server (paths %s)", attackerX5u.paths()).isZero();
        if (t != jwks) {
            assertThat(realJwks.requests()).as("JWKS fetched by a gateway that has no JWKS").isEqualTo(realFetches);
        }
        watcherStillServed(t);
        assertAccepted(t.gw().wsUri(), t.issuer().apply(good("alice").build()), "a good token after: " + attack);
    }

    // ---------------------------------------------------------------- the good side of the claim checks

    @Test
    void goodTokensAreAcceptedByEveryTarget() {
        for (Target t : targets) {
            assertAccepted(t.gw().wsUri(), t.issuer().apply(good("alice").build()), t.name());
            assertAccepted(t.gw().wsUri(), t.issuer().apply(good("alice").audience(List.of("other", AUDIENCE)).build()),
                    t.name() + ": aud list containing ours");
        }
    }

    @Test
    void leewayToleratesSmallClockSkew() {
        Target t = rsaOnly;
        assertAccepted(t.gw().wsUri(), t.issuer().apply(good("skew").expirationTime(new Date(now() - 10_000)).build()),
                "exp 10 s ago, leeway 30 s");
        assertAccepted(t.gw().wsUri(), t.issuer().apply(good("skew").notBeforeTime(new Date(now() + 10_000)).build()),
                "nbf in 10 s, leeway 30 s");
    }

    @Test
    void hmacTokensStillWorkWhereASecretIsConfiguredNextToTheRsaKey() {
        String token = hmacWith(TestGateway.SECRET.getBytes(StandardCharsets.UTF_8), good("hs").build());
        assertAccepted(hmacAndRsa.gw().wsUri(), token, "HS256 with the configured secret");
        assertRefused(rsaOnly.gw().wsUri(), token, "HS256 with a secret the RSA-only gateway does not have");
        assertRefused(jwks.gw().wsUri(), token, "HS256 on the JWKS-only gateway");
    }

    // ---------------------------------------------------------------- beyond the verifier

    /**
     * Headers beyond the gateway's HTTP bound (128 KB) never reach the verifier: the request is refused
     * before any upgrade, browser or not, and the gateway keeps serving.
     */
    @Test
    void tokenLargerThanTheHeaderBoundIsRefusedBeforeTheUpgrade() {
        Target t = hmacAndRsa;
        String huge = padded(t, 200 * 1024);
        for (String origin : new String[] {null, TestGateway.ALLOWED_ORIGIN}) {
            Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(
                    () -> JdkWsClient.connect(t.gw().wsUri(), huge, TokenPlace.HEADER, origin).close());
            assertThat(thrown).as("200 KB token, origin " + origin).isNotNull();
            if (thrown instanceof HandshakeRefused refused) {
                System.out.printf("200 KB token in Authorization, origin %s: HTTP %d%n", origin, refused.status);
                assertThat(refused.status).isIn(401, 431);
            } else {
                System.out.printf("200 KB token in Authorization, origin %s: %s%n", origin, thrown);
            }
        }
        watcherStillServed(t);
        assertAccepted(t.gw().wsUri(), t.issuer().apply(good("alice").build()), "a good token after a 200 KB header");
    }

    /** Every attack at once, from 8 threads, while a good client pings and receives events. */
    @Test
    void concurrentAttacksNeitherCrashNorSlowTheGatewayForOthers() throws Exception {
        Target t = hmacAndRsa;
        List<String> tokens = new ArrayList<>();
        for (Arguments a : attacks(t)) {
            tokens.add((String) a.get()[2]);
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (JdkWsClient client = JdkWsClient.connect(t.gw().wsUri(), t.issuer().apply(good("good").build()))) {
            welcome(client);
            List<Future<Integer>> statuses = new ArrayList<>();
            for (int round = 0; round < 5; round++) {
                for (String token : tokens) {
                    statuses.add(pool.submit(() -> handshakeStatus(t.gw().wsUri(), token)));
                }
            }
            long worst = 0;
            int pings = 0;
            while (statuses.stream().anyMatch(f -> !f.isDone())) {
                long p0 = System.nanoTime();
                client.send("{\"op\":\"ping\",\"id\":" + pings + "}");
                int id = pings++;
                client.next(m -> "pong".equals(m.path("type").asText()) && m.path("id").asInt() == id, Duration.ofSeconds(10));
                worst = Math.max(worst, (System.nanoTime() - p0) / 1_000_000);
                Thread.sleep(20);
            }
            int refused = 0;
            for (Future<Integer> f : statuses) {
                assertThat(f.get(30, TimeUnit.SECONDS)).as("each attack refused").isEqualTo(401);
                refused++;
            }
            System.out.printf("%d attack handshakes from 8 threads: all 401; %d pings meanwhile, worst round trip %d ms%n",
                    refused, pings, worst);
            assertThat(worst).as("worst ping round trip during the attacks, ms").isLessThan(1_000);
            watcherStillServed(t);
        } finally {
            pool.shutdownNow();
        }
        assertThat(attackerJwks.requests()).isZero();
        assertThat(attackerX5u.requests()).isZero();
    }

    @Test
    void refusalsNameTheReasonWithoutEchoingTheToken() {
        Target t = rsaOnly;
        String expired = t.issuer().apply(good("eve").issueTime(new Date(now() - 7_200_000)).expirationTime(new Date(now() - 3_600_000)).build());
        HandshakeRefused r = catchThrowableOfType(HandshakeRefused.class,
                () -> JdkWsClient.connect(t.gw().wsUri(), expired, TokenPlace.HEADER, null).close());
        assertThat(r).isNotNull();
        assertThat(r.getMessage()).contains("expired").doesNotContain(expired.split("\\.")[2]);
        String wrongAud = t.issuer().apply(good("eve").audience("other").build());
        HandshakeRefused r2 = catchThrowableOfType(HandshakeRefused.class,
                () -> JdkWsClient.connect(t.gw().wsUri(), wrongAud, TokenPlace.HEADER, null).close());
        assertThat(r2).isNotNull();
        assertThat(r2.getMessage()).contains("audience");
    }
}
