package io.tickwire.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** How the client reconnects, against real gateways: backoff, failover, tokens, stop codes, drain, silence. */
class ReconnectIntegrationTest {

    /** A loopback port nothing listens on. */
    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void attemptsAgainstAClosedPortAreSpacedWithinTheBackoffBounds() throws Exception {
        Recorder app = new Recorder();
        try (TickwireClient client = TickwireClient.builder().urls("ws://127.0.0.1:" + closedPort() + "/ws")
                .tokenSupplier(() -> "unused").backoff(Duration.ofMillis(100), Duration.ofMillis(400), 2.0)
                .stateListener(app).build()) {
            client.connect();
            Recorder.await(Duration.ofSeconds(15), "8 attempts", () -> app.statesOf(ConnectionState.CONNECTING).size() >= 8);
        }
        List<Recorder.State> attempts = app.statesOf(ConnectionState.CONNECTING);
        List<Long> gaps = new java.util.ArrayList<>();
        for (int i = 1; i < 8; i++) {
            gaps.add(TimeUnit.NANOSECONDS.toMillis(attempts.get(i).nanos() - attempts.get(i - 1).nanos()));
        }
        System.out.println("backoff: gaps between attempts (ms) " + gaps);
        // min 100 ms; the ceiling doubles from 200 ms and stays at 400 ms; allow 250 ms for a busy machine
        assertThat(gaps).allSatisfy(g -> assertThat(g).isBetween(95L, 650L));
        assertThat(gaps.stream().distinct().count()).as("jittered").isGreaterThan(3);
        for (Recorder.State s : app.statesOf(ConnectionState.RECONNECTING)) {
            assertThat(s.change().closeCode()).isEqualTo(ConnectionEnd.ABNORMAL);
            assertThat(s.change().nextAttemptAt()).isNotNull();
        }
        assertThat(app.states.get(app.states.size() - 1).change().state()).isEqualTo(ConnectionState.CLOSED);
    }

    @Test
    void withTheFirstGatewayDownTheClientLandsOnTheSecond() throws Exception {
        try (LocalGateway gw = LocalGateway.start()) {
            Recorder app = new Recorder();
            String down = "ws://127.0.0.1:" + closedPort() + "/ws";
            try (TickwireClient client = TickwireClient.builder().urls(down, gw.wsUrl())
                    .tokenSupplier(() -> gw.token("u-failover")).backoff(Duration.ofMillis(50), Duration.ofMillis(200), 2)
                    .stateListener(app).build()) {
                client.connect().get(10, TimeUnit.SECONDS);
                assertThat(app.statesOf(ConnectionState.CONNECTING)).extracting(s -> s.change().url().toString())
                        .containsExactly(down, gw.wsUrl());
                assertThat(app.statesOf(ConnectionState.CONNECTED).get(0).change().url().toString()).isEqualTo(gw.wsUrl());
                assertThat(gw.gateway().connections()).isEqualTo(1);
            }
        }
    }

    @Test
    void anExpiredFirstTokenIsReplacedFromTheSupplier() throws Exception {
        try (LocalGateway gw = LocalGateway.start(Map.of("TICKWIRE_AUTH_LEEWAY_SECONDS", "0"))) {
            Recorder app = new Recorder();
            AtomicInteger calls = new AtomicInteger();
            try (TickwireClient client = TickwireClient.builder().urls(gw.wsUrl()).tokenSupplier(() -> calls.incrementAndGet() == 1
                            ? gw.tokenExpiringAt("u-exp", System.currentTimeMillis() - 60_000)
                            : gw.token("u-exp"))
                    .tokenPlacement(TokenPlacement.AUTHORIZATION_HEADER)
                    .backoff(Duration.ofMillis(50), Duration.ofMillis(200), 2).stateListener(app).build()) {
                client.connect().get(10, TimeUnit.SECONDS);
                assertThat(calls).hasValue(2);
                assertThat(app.statesOf(ConnectionState.RECONNECTING)).extracting(s -> s.change().closeCode())
                        .containsExactly(401);
            }
        }
    }

    @Test
    void closedWith4001TheClientFetchesANewTokenAndReconnectsAtOnce() throws Exception {
        try (LocalGateway gw = LocalGateway.start()) {
            Recorder app = new Recorder();
            AtomicInteger calls = new AtomicInteger();
            try (TickwireClient client = TickwireClient.builder().urls(gw.wsUrl())
                    .tokenSupplier(() -> gw.token("u-4001-" + calls.incrementAndGet() / 100)) // same subject each call
                    .backoff(Duration.ofSeconds(5), Duration.ofSeconds(10), 2).stateListener(app).build()) {
                client.connect().get(10, TimeUnit.SECONDS);
                assertThat(gw.admin("/api/v1/disconnect", "{\"user\":\"u-4001-0\",\"code\":4001}").statusCode())
                        .isEqualTo(200);
                Recorder.await(Duration.ofSeconds(3), "reconnected", () -> client.connections() == 2);
                Recorder.State reconnecting = app.statesOf(ConnectionState.RECONNECTING).get(0);
                assertThat(reconnecting.change().closeCode()).isEqualTo(4001);
                assertThat(Duration.between(Instant.now(), reconnecting.change().nextAttemptAt()))
                        .as("no backoff (min is 5 s)").isLessThan(Duration.ofSeconds(1));
                assertThat(calls).hasValue(2);
            }
        }
    }

    @Test
    void tokenExpiringIsAnsweredWithRefreshSoTheConnectionOutlivesItsTokens() throws Exception {
        try (LocalGateway gw = LocalGateway.start(Map.of("TICKWIRE_AUTH_LEEWAY_SECONDS", "0",
                "TICKWIRE_AUTH_EXPIRY_WARNING_SECONDS", "2"))) {
            Recorder app = new Recorder();
            AtomicInteger calls = new AtomicInteger();
            try (TickwireClient client = TickwireClient.builder().urls(gw.wsUrl()).tokenSupplier(() -> {
                calls.incrementAndGet();
                return gw.tokenExpiringAt("u-refresh", System.currentTimeMillis() + 3000, "orders:7");
            }).stateListener(app).build()) {
                client.connect().get(10, TimeUnit.SECONDS);
                client.subscribe("orders:7", app).get(10, TimeUnit.SECONDS);
                Thread.sleep(6500); // more than twice a token's 3 s life
                gw.publish("orders:7", "{\"n\":1}");
                Recorder.await(Duration.ofSeconds(5), "the event", () -> app.events.size() == 1);
                assertThat(client.connections()).as("never reconnected").isEqualTo(1);
                assertThat(app.statesOf(ConnectionState.RECONNECTING)).isEmpty();
                assertThat(calls.get()).as("refreshed at least twice").isGreaterThanOrEqualTo(3);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {4003, 1000})
    void aDisconnectWithAStopCodeClosesTheClientForGood(int code) throws Exception {
        try (LocalGateway gw = LocalGateway.start()) {
            Recorder app = new Recorder();
            try (TickwireClient client = TickwireClient.builder().urls(gw.wsUrl()).tokenSupplier(() -> gw.token("u-stop"))
                    .backoff(Duration.ofMillis(20), Duration.ofMillis(50), 2).stateListener(app).build()) {
                client.connect().get(10, TimeUnit.SECONDS);
                String body = code == 4003 ? "{\"user\":\"u-stop\"}" : "{\"user\":\"u-stop\",\"code\":" + code + "}";
                assertThat(gw.admin("/api/v1/disconnect", body).body()).contains("\"disconnected\":1");
                Recorder.await(Duration.ofSeconds(5), "CLOSED", () -> client.state() == ConnectionState.CLOSED);
                Thread.sleep(1000); // several backoff periods: a reconnect would have happened
                assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
                assertThat(client.connections()).isEqualTo(1);
                assertThat(app.statesOf(ConnectionState.CONNECTING)).hasSize(1);
                assertThat(app.statesOf(ConnectionState.CLOSED).get(0).change().closeCode()).isEqualTo(code);
                assertThat(gw.gateway().connections()).isZero();
                assertThatThrownBy(() -> client.subscribe("trades:X", app).get(5, TimeUnit.SECONDS))
                        .hasCauseInstanceOf(IllegalStateException.class);
            }
        }
    }

    @Test
    void aDrainSendsTheClientPromptlyToAnotherGatewayWithItsSubscriptions() throws Exception {
        try (LocalGateway a = LocalGateway.start(Map.of("TICKWIRE_DRAIN_WINDOW_SECONDS", "1"));
                LocalGateway b = LocalGateway.start()) {
            Recorder app = new Recorder();
            try (TickwireClient client = TickwireClient.builder().urls(a.wsUrl(), b.wsUrl())
                    .tokenSupplier(() -> a.token("u-drain")).backoff(Duration.ofSeconds(5), Duration.ofSeconds(10), 2)
                    .stateListener(app).build()) {
                client.connect().get(10, TimeUnit.SECONDS);
                client.subscribe("trades:X", app).get(10, TimeUnit.SECONDS);
                a.publish("trades:X", "{\"n\":1}");
                Recorder.await(Duration.ofSeconds(5), "event on a", () -> app.events.size() == 1);

                long drainedAt = System.nanoTime();
                assertThat(a.admin("/api/v1/drain", "").statusCode()).isEqualTo(202);
                Recorder.await(Duration.ofSeconds(5), "connected to b", () -> b.gateway().connections() == 1);
                long movedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - drainedAt);
                // b counts the session before its welcome reaches the client: wait for the client to say so too
                Recorder.await(Duration.ofSeconds(5), "the client connected again",
                        () -> app.statesOf(ConnectionState.CONNECTED).size() >= 2);
                System.out.println("drain: moved to the second gateway after " + movedMillis + " ms");

                Recorder.State reconnecting = app.statesOf(ConnectionState.RECONNECTING).get(0);
                assertThat(reconnecting.change().closeCode()).isEqualTo(1012);
                assertThat(app.statesOf(ConnectionState.CONNECTED).get(1).change().url().toString()).isEqualTo(b.wsUrl());
                assertThat(movedMillis).as("window 1 s + jitter 1 s, no backoff (min 5 s)").isLessThan(3500);

                // the subscription followed: b's trades:X is another history, so the client is told reset
                Recorder.await(Duration.ofSeconds(5), "reset on b", () -> app.resets.size() == 1);
                b.publish("trades:X", "{\"n\":2}");
                Recorder.await(Duration.ofSeconds(5), "event on b", () -> app.events.size() == 2);
                assertThat(app.counters()).containsExactly(1L, 2L);
            }
        }
    }

    @Test
    void aDrainingGatewaysRefusalIsRetriedAfterItsRetryAfter() throws Exception {
        try (LocalGateway gw = LocalGateway.start(Map.of("TICKWIRE_DRAIN_WINDOW_SECONDS", "0"))) {
            Recorder app = new Recorder();
            try (TickwireClient client = TickwireClient.builder().urls(gw.wsUrl()).tokenSupplier(() -> gw.token("u-503"))
                    .backoff(Duration.ofMillis(20), Duration.ofMillis(50), 2).stateListener(app).build()) {
                client.connect().get(10, TimeUnit.SECONDS);
                assertThat(gw.admin("/api/v1/drain", "").statusCode()).isEqualTo(202);
                Recorder.await(Duration.ofSeconds(10), "two refused attempts",
                        () -> app.statesOf(ConnectionState.RECONNECTING).size() >= 3);
                List<Recorder.State> reconnecting = app.statesOf(ConnectionState.RECONNECTING);
                assertThat(reconnecting.get(0).change().closeCode()).isEqualTo(1012);
                for (Recorder.State refused : reconnecting.subList(1, 3)) {
                    assertThat(refused.change().closeCode()).isEqualTo(503);
                }
                List<Recorder.State> attempts = app.statesOf(ConnectionState.CONNECTING);
                long gap = TimeUnit.NANOSECONDS.toMillis(attempts.get(2).nanos() - attempts.get(1).nanos());
                assertThat(gap).as("Retry-After (1 s), not the 20-50 ms backoff").isBetween(950L, 3000L);
                assertThat(client.connections()).isEqualTo(1);
            }
        }
    }

    @Test
    void aSilentConnectionIsDeclaredDeadAndReplaced() throws Exception {
        try (LocalGateway gw = LocalGateway.start(Map.of("TICKWIRE_WS_HEARTBEAT_MS", "30000"));
                CuttingProxy proxy = CuttingProxy.to(gw.port())) {
            Recorder app = new Recorder();
            try (TickwireClient client = TickwireClient.builder().urls(proxy.wsUrl()).tokenSupplier(() -> gw.token("u-dead"))
                    .deadAfter(Duration.ofMillis(800)).backoff(Duration.ofMillis(20), Duration.ofMillis(50), 2)
                    .stateListener(app).build()) {
                client.connect().get(10, TimeUnit.SECONDS);
                client.subscribe("trades:D", app).get(10, TimeUnit.SECONDS);
                long frozenAt = System.nanoTime();
                proxy.freeze();
                Recorder.await(Duration.ofSeconds(5), "reconnected", () -> client.connections() == 2);
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - frozenAt);
                assertThat(millis).isBetween(700L, 3000L);
                assertThat(app.statesOf(ConnectionState.RECONNECTING).get(0).change().reason()).contains("dead");
                gw.publish("trades:D", "{\"n\":1}");
                Recorder.await(Duration.ofSeconds(5), "event after reconnect", () -> app.events.size() == 1);
            }
        }
    }

    @Test
    void manySubscribeCallsAtOnceStayWithinTheGatewaysOperationLimit() throws Exception {
        try (LocalGateway gw = LocalGateway.start(Map.of("TICKWIRE_WS_MAX_OPS_BURST", "20"));
                TickwireClient client = TickwireClient.builder().urls(gw.wsUrl()).tokenSupplier(() -> gw.token("u-many"))
                        .build()) {
            client.connect().get(10, TimeUnit.SECONDS);
            List<java.util.concurrent.CompletableFuture<Subscribed>> all = new java.util.ArrayList<>();
            for (int i = 0; i < 300; i++) {
                all.add(client.subscribe("trades:R" + i, new Recorder()));
            }
            for (var f : all) {
                assertThat(f.get(10, TimeUnit.SECONDS).mode()).isEqualTo("reliable");
            }
            assertThat(client.connections()).isEqualTo(1);
        }
    }

    @Test
    void aRefusedSubscriptionFailsWithTheGatewaysError() throws Exception {
        try (LocalGateway gw = LocalGateway.start();
                TickwireClient client = TickwireClient.builder().urls(gw.wsUrl()).tokenSupplier(() -> gw.token("u-9", "account:9"))
                        .build()) {
            client.connect().get(10, TimeUnit.SECONDS);
            assertThatThrownBy(() -> client.subscribe("account:10", new Recorder()).get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(TickwireServerException.class)
                    .satisfies(e -> assertThat(((TickwireServerException) e).code()).isEqualTo("forbidden"));
            Subscribed ok = client.subscribe("account:9", new Recorder()).get(5, TimeUnit.SECONDS);
            assertThat(ok.mode()).isEqualTo("reliable");
            assertThatThrownBy(() -> client.subscribe("account:9", new Recorder()).get(5, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(IllegalStateException.class);
            client.unsubscribe("account:9").get(5, TimeUnit.SECONDS);
        }
    }
}
