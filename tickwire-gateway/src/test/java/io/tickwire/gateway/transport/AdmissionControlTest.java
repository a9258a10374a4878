package io.tickwire.gateway.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickwire.gateway.testing.JdkWsClient;
import io.tickwire.gateway.testing.RawHandshake;
import io.tickwire.gateway.testing.TestGateway;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Handshake admission rates on a real gateway: over the node's rate a handshake gets 503 (browsers 1013)
 * before its token is even read; one address over its own rate gets 429 (browsers 4029) while other
 * addresses are admitted; connected clients are served throughout; the buckets refill.
 */
class AdmissionControlTest {

    private static final String BAD_TOKEN = "not.a.token";

    @Test
    void overTheNodeRateHandshakesAreRefusedBeforeTheirTokenIsVerified() throws Exception {
        try (TestGateway gw = TestGateway.start(Map.of(
                "TICKWIRE_SERVER_HANDSHAKES_PER_SECOND", "1", "TICKWIRE_SERVER_HANDSHAKE_BURST", "3",
                "TICKWIRE_SERVER_ADDRESS_HANDSHAKES_PER_SECOND", "1000",
                "TICKWIRE_SERVER_ADDRESS_HANDSHAKE_BURST", "1000"))) {
            JdkWsClient subscriber = subscribedClient(gw);

            // Bad tokens count against the rate like good ones: the first get 401 (they were verified),
            // the rest 503 without verification.
            List<RawHandshake> replies = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                replies.add(RawHandshake.send(gw.port(), RawHandshake.request().token(BAD_TOKEN)));
            }
            List<Integer> statuses = replies.stream().map(r -> r.status).toList();
            assertThat(statuses).as("statuses %s", statuses).containsOnly(401, 503);
            assertThat(statuses.stream().filter(s -> s == 401).count()).as("verified: %s", statuses).isBetween(1L, 4L);
            assertThat(statuses.stream().filter(s -> s == 503).count()).as("refused: %s", statuses).isGreaterThanOrEqualTo(4L);
            RawHandshake refused = replies.stream().filter(r -> r.status == 503).findFirst().orElseThrow();
            assertThat(Integer.parseInt(refused.headers.get("retry-after"))).isBetween(1, 10);
            assertThat(refused.headers.get("connection")).isEqualToIgnoringCase("close");
            assertThat(refused.body).isEqualTo(
                    "{\"error\":{\"code\":\"unavailable\",\"message\":\"over the handshake admission rate\"}}");
            closeAll(replies);

            // A browser is upgraded and closed with 1013 and the delay in the reason.
            RawHandshake.Frame close = browserRefusal(gw, "127.0.0.1", 1013);
            assertThat(close.text()).matches("over the handshake admission rate: retry after [1-9][0-9]? s");

            // the connected client was served throughout
            assertServed(gw, subscriber, 1);

            // the bucket refills: a handshake is admitted again within a few seconds
            assertAdmittedAgainWithin(gw, "127.0.0.1", Duration.ofSeconds(10));
            assertServed(gw, subscriber, 2);
            subscriber.close();
        }
    }

    @Test
    void oneAddressOverItsRateIsRefusedWhileOtherAddressesAreAdmitted() throws Exception {
        try (TestGateway gw = TestGateway.start(Map.of(
                "TICKWIRE_SERVER_ADDRESS_HANDSHAKES_PER_SECOND", "1",
                "TICKWIRE_SERVER_ADDRESS_HANDSHAKE_BURST", "3"))) {
            JdkWsClient subscriber = subscribedClient(gw); // from 127.0.0.1: one of its three

            List<RawHandshake> flood = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                flood.add(RawHandshake.send(gw.port(), RawHandshake.request().from("127.0.0.1").token(gw.token("eve"))));
            }
            List<Integer> statuses = flood.stream().map(r -> r.status).toList();
            assertThat(statuses).as("statuses %s", statuses).containsOnly(101, 429);
            assertThat(statuses.stream().filter(s -> s == 429).count()).as("refused: %s", statuses).isGreaterThanOrEqualTo(6L);
            RawHandshake refused = flood.stream().filter(r -> r.status == 429).findFirst().orElseThrow();
            assertThat(Integer.parseInt(refused.headers.get("retry-after"))).isBetween(1, 5);
            assertThat(refused.body).isEqualTo(
                    "{\"error\":{\"code\":\"rate_limited\",\"message\":\"too many handshakes from this address\"}}");
            closeAll(flood);

            RawHandshake.Frame close = browserRefusal(gw, "127.0.0.1", 4029);
            assertThat(close.text()).matches("too many handshakes from this address: retry after [1-5] s");

            // another address is admitted meanwhile, and the connected client is served
            try (RawHandshake other = RawHandshake.send(gw.port(), RawHandshake.request().from("127.0.0.2").token(gw.token("ann")))) {
                assertThat(other.status).isEqualTo(101);
                assertThat(other.nextFrame().text()).contains("\"type\":\"welcome\"");
            }
            assertServed(gw, subscriber, 1);

            assertAdmittedAgainWithin(gw, "127.0.0.1", Duration.ofSeconds(10));
            subscriber.close();
        }
    }

    /** A client subscribed to a room, having had its welcome. */
    static JdkWsClient subscribedClient(TestGateway gw) {
        JdkWsClient c = JdkWsClient.connect(gw.wsUri(), gw.token("sam"));
        c.nextOfType("welcome");
        c.send("{\"op\":\"subscribe\",\"id\":1,\"rooms\":[\"trades:A\"]}");
        c.nextOfType("subscribed");
        return c;
    }

    /** The client still answers pings and still receives its room's events. */
    static void assertServed(TestGateway gw, JdkWsClient c, int n) {
        c.send("{\"op\":\"ping\",\"id\":" + (100 + n) + "}");
        assertThat(c.nextOfType("pong").path("id").asInt()).isEqualTo(100 + n);
        assertThat(gw.publish("{\"room\":\"trades:A\",\"data\":{\"n\":" + n + "}}").statusCode()).isEqualTo(200);
        assertThat(c.nextOfType("event").path("data").path("n").asInt()).isEqualTo(n);
    }

    /** Browser handshakes from {@code source} until one is upgraded and closed with {@code code}: its close frame. */
    static RawHandshake.Frame browserRefusal(TestGateway gw, String source, int code) throws IOException {
        for (int i = 0; i < 10; i++) {
            try (RawHandshake h = RawHandshake.send(gw.port(), RawHandshake.request().from(source)
                    .token(gw.token("bea")).origin(TestGateway.ALLOWED_ORIGIN))) {
                assertThat(h.status).isEqualTo(101);
                RawHandshake.Frame f = h.nextFrame();
                if (f.closeCode() == code) {
                    return f;
                }
            }
        }
        throw new AssertionError("no browser handshake from " + source + " was closed with " + code);
    }

    static void assertAdmittedAgainWithin(TestGateway gw, String source, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        int last = 0;
        while (System.nanoTime() < deadline) {
            try (RawHandshake h = RawHandshake.send(gw.port(), RawHandshake.request().from(source).token(gw.token("ray")))) {
                last = h.status;
                if (h.status == 101) {
                    return;
                }
                assertThat(h.headers).containsKey("retry-after");
            }
            Thread.sleep(250);
        }
        throw new AssertionError("not admitted again within " + limit + "; last status " + last);
    }

    static void closeAll(List<RawHandshake> handshakes) throws IOException {
        for (RawHandshake h : handshakes) {
            h.close();
        }
    }
}
