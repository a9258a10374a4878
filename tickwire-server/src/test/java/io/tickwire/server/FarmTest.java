package io.tickwire.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.tickwire.client.ConnectionState;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Failure tests of a gateway farm (design/farm.md §6): gateway nodes as separate JVMs on a real nats-server
 * (JetStream) and, where coordination matters, a real redis-server; real clients. One farm per test, the tests one
 * after another, at small rates (2 cores). Publishers put their own counter in {@code data} and retry with the same
 * {@code msg_id} until stored, so lost = published counters never received and doubled = counters received twice plus
 * the client's {@code duplicatesDropped()} (events the client hid because their seq was not new). Each test appends
 * its counts and times to {@code target/farm-report.txt}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FarmTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration CATCH_UP = Duration.ofSeconds(30);

    /**
     * Same seq everywhere: clients on A and B see the same (seq, epoch) lists, in the same order, for reliable rooms
     * fed both straight through NATS and through C's HTTP API; every counter exactly once; the conflate room ends on
     * the same latest value with the same seqs.
     */
    @Test
    @org.junit.jupiter.api.Order(1)
    void sameSeqEverywhere() throws Exception {
        String trades = "trades:T1";
        String orders = "orders:42";
        String price = "price:BRK.B";
        try (Farm farm = new Farm(false)) {
            List<GatewayProcess> nodes = farm.start("a", "b", "c");
            GatewayProcess a = nodes.get(0);
            GatewayProcess b = nodes.get(1);
            GatewayProcess c = nodes.get(2);
            String token = GatewayProcess.token("alice", orders);
            FarmClient onA = farm.closeLater(new FarmClient("on-a", token, null, a.wsUri())).connect(trades, orders, price);
            FarmClient onB = farm.closeLater(new FarmClient("on-b", token, null, b.wsUri())).connect(trades, orders, price);

            Publisher p1 = farm.closeLater(new Publisher("p1", List.of(trades, orders, price), 90,
                    Publisher.nats(farm.natsConnection(), Farm.SUBJECT_PREFIX)));
            Publisher p2 = farm.closeLater(new Publisher("p2", List.of(trades, orders), 60, Publisher.http(() -> c)));
            p1.start();
            p2.start();
            Thread.sleep(10_000);
            p1.stop();
            p2.stop();

            List<FarmClient> clients = List.of(onA, onB);
            List<Publisher> publishers = List.of(p1, p2);
            List<String> reliable = List.of(trades, orders);
            awaitAllDelivered(clients, publishers, reliable);
            long lastPrice = p1.published(price).get(p1.published(price).size() - 1);
            await(Duration.ofSeconds(10), () -> clients.stream().allMatch(cl -> lastN(cl, price) == lastPrice),
                    () -> "the conflate room's latest value (p1 " + lastPrice + ") on both clients: "
                            + lastN(onA, price) + ", " + lastN(onB, price));

            for (String room : reliable) {
                assertThat(seqEpochs(onB, room)).as("(seq, epoch) of %s on B vs A", room).isEqualTo(seqEpochs(onA, room));
            }
            for (String room : List.of(trades, orders, price)) {
                assertThat(onA.epoch(room)).as("epoch of %s", room).isNotNull().isEqualTo(onB.epoch(room));
            }
            // conflate: each client's seqs increase, and a seq both saw carries the same event
            Map<Long, Long> aPrices = new LinkedHashMap<>();
            onA.events(price).forEach(e -> aPrices.put(e.seq(), e.n()));
            for (FarmClient.Event e : onB.events(price)) {
                if (aPrices.containsKey(e.seq())) {
                    assertThat(e.n()).as("price seq %d", e.seq()).isEqualTo(aPrices.get(e.seq()));
                }
            }
            Counts counts = counts(clients, publishers, reliable);
            for (FarmClient cl : clients) {
                assertThat(cl.orderViolations()).as("order on %s", cl).isEmpty();
                assertThat(cl.resets()).as("resets on %s", cl).isEmpty();
            }
            report("same-seq-everywhere", counts, Map.of(
                    "trades_seqs", onA.events(trades).size(), "orders_seqs", onA.events(orders).size(),
                    "price_events_a", onA.events(price).size(), "price_events_b", onB.events(price).size(),
                    "retries", p1.retries() + p2.retries()));
            counts.assertExactlyOnce();
        }
    }

    /**
     * kill -9 of the node that holds 30 clients while publishing goes on: every client resumes on B or C and gets
     * every reliable event exactly once, in order, without reset. Measures kill → first event after the resume.
     */
    @Test
    @org.junit.jupiter.api.Order(2)
    void killNineOfANode() throws Exception {
        List<String> rooms = List.of("orders:1", "orders:2", "orders:3", "trades:K1");
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        try (Farm farm = new Farm(false)) {
            farm.closeLater(() -> group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly());
            List<GatewayProcess> nodes = farm.start("a", "b", "c");
            GatewayProcess a = nodes.get(0);
            List<FarmClient> clients = clientsOnTheFirstNode(farm, group, nodes, 30, "user", rooms);
            Publisher p1 = farm.closeLater(new Publisher("p1", rooms, 150,
                    Publisher.nats(farm.natsConnection(), Farm.SUBJECT_PREFIX))).start();
            Thread.sleep(3_000);
            long killedAt = System.nanoTime();
            a.kill9();
            Thread.sleep(7_000);
            p1.stop();

            awaitAllDelivered(clients, List.of(p1), rooms);
            List<Long> resumeMillis = resumedElsewhere(clients, killedAt);
            Counts counts = counts(clients, List.of(p1), rooms);
            report("kill-9", counts, Map.of("clients", clients.size(),
                    "resume_p50_ms", resumeMillis.get(resumeMillis.size() / 2),
                    "resume_max_ms", resumeMillis.get(resumeMillis.size() - 1),
                    "retries", p1.retries()));
            counts.assertExactlyOnce();
        }
    }

    /**
     * A node drained (SIGTERM, as a deploy does): its clients are told to reconnect, spread over the drain window (1 s
     * here), and land on the other nodes, where they resume; every reliable event exactly once, no reset.
     */
    @Test
    @org.junit.jupiter.api.Order(3)
    void drainAcrossTheFarm() throws Exception {
        List<String> rooms = List.of("orders:1", "orders:2", "trades:D1");
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        try (Farm farm = new Farm(true)) {
            farm.closeLater(() -> group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly());
            List<GatewayProcess> nodes = farm.start("a", "b", "c");
            GatewayProcess a = nodes.get(0);
            List<FarmClient> clients = clientsOnTheFirstNode(farm, group, nodes, 20, "drained", rooms);
            Publisher p1 = farm.closeLater(new Publisher("p1", rooms, 150,
                    Publisher.nats(farm.natsConnection(), Farm.SUBJECT_PREFIX))).start();
            Thread.sleep(2_000);
            long drainedAt = System.nanoTime();
            a.stop(); // SIGTERM: drain over 1 s, then exit
            Thread.sleep(4_000);
            p1.stop();

            awaitAllDelivered(clients, List.of(p1), rooms);
            List<Long> resumeMillis = resumedElsewhere(clients, drainedAt);
            Counts counts = counts(clients, List.of(p1), rooms);
            report("drain", counts, Map.of("clients", clients.size(),
                    "resume_p50_ms", resumeMillis.get(resumeMillis.size() / 2),
                    "resume_max_ms", resumeMillis.get(resumeMillis.size() - 1)));
            counts.assertExactlyOnce();
        }
    }

    /**
     * NATS stopped (SIGTERM; variant: SIGKILL) for about 5 s, then started again on the same store and port while the
     * publishers retry with the same msg_ids: not ready (503, bus disconnected) during, ready after; the clients stay
     * connected, the epoch stays, and nothing is lost or doubled (JetStream's duplicate window survives the restart).
     */
    @ParameterizedTest(name = "nats {0}")
    @ValueSource(strings = {"stop", "kill"})
    @org.junit.jupiter.api.Order(3)
    void natsStopAndStart(String how) throws Exception {
        List<String> rooms = List.of("orders:7", "trades:T2");
        try (Farm farm = new Farm(false)) {
            List<GatewayProcess> nodes = farm.start("a", "b");
            GatewayProcess a = nodes.get(0);
            GatewayProcess b = nodes.get(1);
            String token = GatewayProcess.token("carol", "orders:7");
            List<FarmClient> clients = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                GatewayProcess node = nodes.get(i % 2);
                clients.add(farm.closeLater(new FarmClient("c" + i + "-" + node.name(), token, null, node.wsUri()))
                        .connect(rooms.toArray(String[]::new)));
            }
            Map<String, String> epochsBefore = new LinkedHashMap<>();
            rooms.forEach(r -> epochsBefore.put(r, clients.get(0).epoch(r)));

            Publisher p1 = farm.closeLater(new Publisher("p1", rooms, 100,
                    Publisher.nats(farm.natsConnection(), Farm.SUBJECT_PREFIX))).start();
            Publisher p2 = farm.closeLater(new Publisher("p2", rooms, 50, Publisher.http(() -> a))).start();
            Thread.sleep(3_000);

            long stoppedAt = System.nanoTime();
            if (how.equals("kill")) {
                farm.nats.kill();
            } else {
                farm.nats.stop();
            }
            long notReadyMillis = -1;
            String notReadyBody = "";
            for (GatewayProcess node : nodes) {
                HttpResponse<String> r = awaitStatus(node, "/health/ready", 503, Duration.ofSeconds(4));
                notReadyBody = r.body();
                assertThat(JSON.readTree(r.body()).path("bus").asText()).as(node + " " + r.body()).isEqualTo("disconnected");
                notReadyMillis = Math.max(notReadyMillis, (System.nanoTime() - stoppedAt) / 1_000_000);
            }
            long sleep = 5_000 - (System.nanoTime() - stoppedAt) / 1_000_000;
            if (sleep > 0) {
                Thread.sleep(sleep);
            }
            long restartedAt = System.nanoTime();
            farm.nats.start();
            for (GatewayProcess node : nodes) {
                node.waitReady(Duration.ofSeconds(30));
                assertThat(JSON.readTree(node.get("/health/ready").body()).path("bus").asText()).isEqualTo("ok");
            }
            long readyAgainMillis = (System.nanoTime() - restartedAt) / 1_000_000;
            Thread.sleep(5_000);
            p1.stop();
            p2.stop();

            awaitAllDelivered(clients, List.of(p1, p2), rooms);
            for (FarmClient cl : clients) {
                assertThat(cl.client.connections()).as("%s's connections (no reconnect)", cl).isEqualTo(1);
                assertThat(cl.resets()).as("resets on %s", cl).isEmpty();
                assertThat(cl.orderViolations()).as("order on %s", cl).isEmpty();
                rooms.forEach(r -> assertThat(cl.epoch(r)).as("epoch of %s on %s", r, cl).isEqualTo(epochsBefore.get(r)));
            }
            Counts counts = counts(clients, List.of(p1, p2), rooms);
            report("nats-" + how + "-start", counts, Map.of("not_ready_after_ms", notReadyMillis,
                    "ready_after_restart_ms", readyAgainMillis, "retries", p1.retries() + p2.retries(),
                    "not_ready_body", notReadyBody.replace(' ', '_')));
            counts.assertExactlyOnce();
        }
    }

    /**
     * Redis stopped: events keep flowing, every node stays ready with coordination "degraded"; Redis started again
     * (empty): within 10 s the cluster view lists every node, and a revoke on A closes the user's connection on B.
     */
    @Test
    @org.junit.jupiter.api.Order(4)
    void redisDown() throws Exception {
        String room = "trades:T3";
        try (Farm farm = new Farm(true)) {
            List<GatewayProcess> nodes = farm.start("a", "b", "c");
            GatewayProcess a = nodes.get(0);
            GatewayProcess b = nodes.get(1);
            FarmClient counter = farm.closeLater(new FarmClient("counter-a", GatewayProcess.token("watcher"), null,
                    a.wsUri())).connect(room);
            FarmClient dave = farm.closeLater(new FarmClient("dave-b", GatewayProcess.token("dave"), null, b.wsUri()))
                    .connect(room);
            awaitClusterNodes(a, 3, Duration.ofSeconds(15));
            Publisher p1 = farm.closeLater(new Publisher("p1", List.of(room), 100,
                    Publisher.nats(farm.natsConnection(), Farm.SUBJECT_PREFIX))).start();
            Thread.sleep(2_000);

            long redisStoppedAt = System.nanoTime();
            farm.redis.stop();
            for (GatewayProcess node : nodes) {
                await(Duration.ofSeconds(15), () -> coordination(node).equals("degraded"),
                        () -> node + " /health/ready says coordination " + coordination(node));
            }
            long degradedMillis = (System.nanoTime() - redisStoppedAt) / 1_000_000;
            int before = counter.events().size();
            for (int i = 0; i < 6; i++) {
                Thread.sleep(500);
                for (GatewayProcess node : nodes) {
                    HttpResponse<String> r = node.get("/health/ready");
                    assertThat(r.statusCode()).as(node + " ready while Redis is down: " + r.body()).isEqualTo(200);
                }
            }
            int during = counter.events().size() - before;
            assertThat(during).as("events delivered in 3 s with Redis down").isGreaterThan(100);
            String metric = metricLine(a, "tickwire_coordination_up");
            assertThat(metric).as("tickwire_coordination_up on /metrics").isNotEqualTo("absent");
            assertThat(Double.parseDouble(metric.substring(metric.lastIndexOf(' ') + 1)))
                    .as("tickwire_coordination_up while Redis is down: %s", metric).isZero();

            long redisStartedAt = System.nanoTime();
            farm.redis.start();
            awaitClusterNodes(a, 3, Duration.ofSeconds(10));
            long clusterMillis = (System.nanoTime() - redisStartedAt) / 1_000_000;

            long revokedAt = System.nanoTime();
            HttpResponse<String> revoke = a.post("/api/v1/revoke", GatewayProcess.adminToken(), "{\"user\":\"dave\"}");
            assertThat(revoke.statusCode()).as(revoke.body()).isEqualTo(200);
            await(Duration.ofSeconds(5), () -> dave.closedWith(4001, revokedAt) > 0,
                    () -> "dave's connection on B closed with 4001; states " + dave.states());
            long revokeMillis = (dave.closedWith(4001, revokedAt) - revokedAt) / 1_000_000;

            p1.stop();
            awaitAllDelivered(List.of(counter), List.of(p1), List.of(room));
            Counts counts = counts(List.of(counter), List.of(p1), List.of(room));
            report("redis-down", counts, Map.of("events_during_outage_3s", during, "degraded_after_ms", degradedMillis,
                    "cluster_complete_after_restart_ms", clusterMillis, "revoke_to_4001_on_b_ms", revokeMillis,
                    "revoke_reply", revoke.body(), "metric_while_down", metric.replace(' ', '_')));
            counts.assertExactlyOnce();
        }
    }

    /**
     * Revocation across the farm: a user connected to A, B and C is revoked on A; every connection closes with 4001
     * within 5 s; the old token then gets 401 on C, and on a node D started afterwards.
     */
    @Test
    @org.junit.jupiter.api.Order(5)
    void revocationPropagates() throws Exception {
        try (Farm farm = new Farm(true)) {
            List<GatewayProcess> nodes = farm.start("a", "b", "c");
            GatewayProcess a = nodes.get(0);
            String token = GatewayProcess.token("erin", "orders:99");
            List<FarmClient> clients = new ArrayList<>();
            for (GatewayProcess node : nodes) {
                clients.add(farm.closeLater(new FarmClient("erin-" + node.name(), token, null, node.wsUri()))
                        .connect("orders:99"));
            }
            awaitClusterNodes(a, 3, Duration.ofSeconds(15));

            long revokedAt = System.nanoTime();
            HttpResponse<String> revoke = a.post("/api/v1/revoke", GatewayProcess.adminToken(), "{\"user\":\"erin\"}");
            long replyMillis = (System.nanoTime() - revokedAt) / 1_000_000;
            assertThat(revoke.statusCode()).as(revoke.body()).isEqualTo(200);
            JsonNode reply = JSON.readTree(revoke.body());
            assertThat(reply.path("disconnected").asInt()).as(revoke.body()).isEqualTo(1);
            assertThat(reply.path("farm").asText()).as(revoke.body()).isEqualTo("published");

            Map<String, Object> times = new LinkedHashMap<>();
            times.put("reply_ms", replyMillis);
            for (FarmClient cl : clients) {
                await(Duration.ofSeconds(5), () -> cl.closedWith(4001, revokedAt) > 0,
                        () -> cl + " closed with 4001; states " + cl.states());
                times.put(cl.name + "_4001_ms", (cl.closedWith(4001, revokedAt) - revokedAt) / 1_000_000);
            }
            clients.forEach(FarmClient::close);

            assertThat(handshakeStatus(nodes.get(2), token)).as("old token on C").isEqualTo(401);

            // D, started after the revoke, must refuse the token as soon as it reports ready: it loads the farm's
            // revocations from Redis at start. Measured, not only asserted: how long D accepted it after ready.
            GatewayProcess d = farm.start("d").get(0);
            long dReadyAt = System.nanoTime();
            int firstOnD = handshakeStatus(d, token);
            int onD = firstOnD;
            while (onD != 401 && System.nanoTime() - dReadyAt < 10_000_000_000L) {
                Thread.sleep(100);
                onD = handshakeStatus(d, token);
            }
            times.put("d_first_status", firstOnD);
            times.put("d_accepted_revoked_token_after_ready_ms", firstOnD == 401 ? 0
                    : (System.nanoTime() - dReadyAt) / 1_000_000);
            report("revocation", new Counts(0, 0, 0, 0), times);
            assertThat(onD).as("old token on D, started after the revoke, within 10 s").isEqualTo(401);
            assertThat(firstOnD).as("old token on D at once when D reports ready").isEqualTo(401);
            assertThat(handshakeStatus(d, GatewayProcess.token("frank"))).as("another user on D").isEqualTo(101);
        }
    }

    /**
     * The cluster-wide per-user limit ({@code cluster.max-connections-per-user} 2): a user with connections on A and B
     * is refused (429) on C; after {@code kill -9} of A, C accepts the user once A's counts have expired
     * ({@code cluster.node-ttl-ms}).
     */
    @Test
    @org.junit.jupiter.api.Order(6)
    void clusterWideUserLimit() throws Exception {
        try (Farm farm = new Farm(true)) {
            farm.env("TICKWIRE_CLUSTER_MAX_CONNECTIONS_PER_USER", "2");
            List<GatewayProcess> nodes = farm.start("a", "b", "c");
            GatewayProcess a = nodes.get(0);
            GatewayProcess c = nodes.get(2);
            String token = GatewayProcess.token("ivan");
            farm.closeLater(new FarmClient("ivan-a", token, null, a.wsUri())).connect();
            farm.closeLater(new FarmClient("ivan-b", token, null, nodes.get(1).wsUri())).connect();
            awaitClusterNodes(a, 3, Duration.ofSeconds(15));
            // the counts travel with the heartbeat: give C one to see A's and B's
            int[] status = {0};
            await(Duration.ofSeconds(10), () -> (status[0] = statusOrZero(c, token)) == 429,
                    () -> "a third connection of ivan on C refused with 429, got " + status[0]);

            long killedAt = System.nanoTime();
            a.kill9();
            await(Duration.ofSeconds(20), () -> (status[0] = statusOrZero(c, token)) == 101,
                    () -> "ivan accepted on C after A's kill, got " + status[0]);
            long acceptedMillis = (System.nanoTime() - killedAt) / 1_000_000;
            report("cluster-user-limit", new Counts(0, 0, 0, 0), Map.of("accepted_on_c_after_kill_ms", acceptedMillis));
        }
    }

    // --- helpers

    static int statusOrZero(GatewayProcess node, String token) {
        try {
            return handshakeStatus(node, token);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        } catch (Exception e) {
            return 0;
        }
    }

    /**
     * {@code count} clients given the nodes' URLs in order, each in two of {@code rooms} (client i in rooms i and
     * i + 1, granted every {@code orders} room), all connected to the first node.
     */
    static List<FarmClient> clientsOnTheFirstNode(Farm farm, EventLoopGroup group, List<GatewayProcess> nodes, int count,
                                                  String user, List<String> rooms) throws Exception {
        String[] granted = rooms.stream().filter(r -> r.startsWith("orders:")).toArray(String[]::new);
        String[] urls = nodes.stream().map(GatewayProcess::wsUri).toArray(String[]::new);
        List<FarmClient> clients = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            FarmClient cl = farm.closeLater(new FarmClient(user + i, GatewayProcess.token(user + i, granted), group, urls));
            clients.add(cl.connect(rooms.get(i % rooms.size()), rooms.get((i + 1) % rooms.size())));
        }
        for (FarmClient cl : clients) {
            assertThat(cl.states().stream().filter(s -> s.change().state() == ConnectionState.CONNECTED)
                    .map(s -> s.change().url().toString()).findFirst()).as("%s's first node", cl).contains(urls[0]);
        }
        return clients;
    }

    /**
     * Checks that every client reconnected after {@code sinceNanos} (its node killed or drained), got events again,
     * in order, with no reset and no subscription ended; returns each one's milliseconds from then to its first
     * event after the reconnect, sorted.
     */
    static List<Long> resumedElsewhere(List<FarmClient> clients, long sinceNanos) {
        List<Long> resumeMillis = new ArrayList<>();
        for (FarmClient cl : clients) {
            long connected = cl.connectedAfter(sinceNanos);
            assertThat(connected).as("%s reconnected after its node went", cl).isPositive();
            long first = cl.firstEventAfter(connected);
            assertThat(first).as("%s got an event after its resume", cl).isPositive();
            resumeMillis.add((first - sinceNanos) / 1_000_000);
            assertThat(cl.orderViolations()).as("order on %s", cl).isEmpty();
            assertThat(cl.resets()).as("resets on %s", cl).isEmpty();
            assertThat(cl.unsubscribed()).as("subscriptions ended on %s", cl).isEmpty();
        }
        resumeMillis.sort(null);
        return resumeMillis;
    }

    /** What a test counted over its clients' reliable rooms. */
    record Counts(long published, long received, long lost, long doubled) {
        void assertExactlyOnce() {
            assertThat(lost).as("lost events").isZero();
            assertThat(doubled).as("doubled events").isZero();
        }
    }

    /**
     * Per client and room it subscribed to: published counters (of every publisher to that room), received ones,
     * lost (published never received), doubled (received twice, plus the client's duplicatesDropped).
     */
    static Counts counts(List<FarmClient> clients, List<Publisher> publishers, List<String> rooms) {
        long published = 0;
        long received = 0;
        long lost = 0;
        long doubled = 0;
        for (FarmClient cl : clients) {
            Set<String> subscribed = cl.rooms();
            for (String room : rooms) {
                if (!subscribed.contains(room)) {
                    continue;
                }
                for (Publisher p : publishers) {
                    if (!p.publishedRooms().contains(room)) {
                        continue;
                    }
                    List<Long> pub = p.published(room);
                    published += pub.size();
                    received += cl.counters(room, p.name()).size();
                    lost += cl.missing(room, p.name(), pub);
                    doubled += cl.repeated(room, p.name());
                }
            }
            doubled += cl.client.duplicatesDropped();
        }
        return new Counts(published, received, lost, doubled);
    }

    static void report(String test, Counts counts, Map<String, ?> more) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("published", counts.published());
        fields.put("received", counts.received());
        fields.put("lost", counts.lost());
        fields.put("doubled", counts.doubled());
        fields.putAll(more);
        FarmReport.append(test, fields);
    }

    /** Waits until every client has every published counter of the reliable rooms it receives. */
    static void awaitAllDelivered(List<FarmClient> clients, List<Publisher> publishers, List<String> rooms)
            throws InterruptedException {
        await(CATCH_UP, () -> counts(clients, publishers, rooms).lost() == 0,
                () -> "every published event delivered: " + counts(clients, publishers, rooms));
    }

    static void await(Duration timeout, BooleanSupplier condition, Supplier<String> what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout + ": " + what.get());
            }
            Thread.sleep(50);
        }
    }

    static List<String> seqEpochs(FarmClient cl, String room) {
        return cl.events(room).stream().map(e -> e.seq() + "@" + e.epoch()).toList();
    }

    static long lastN(FarmClient cl, String room) {
        List<FarmClient.Event> events = cl.events(room);
        return events.isEmpty() ? -1 : events.get(events.size() - 1).n();
    }

    static HttpResponse<String> awaitStatus(GatewayProcess node, String path, int status, Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            HttpResponse<String> r = node.get(path);
            if (r.statusCode() == status) {
                return r;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(node + " " + path + " did not answer " + status + " within " + timeout
                        + ": " + r.statusCode() + " " + r.body());
            }
            Thread.sleep(50);
        }
    }

    /** The {@code coordination} of the node's {@code /health/ready}, or the failure. */
    static String coordination(GatewayProcess node) {
        try {
            return JSON.readTree(node.get("/health/ready").body()).path("coordination").asText();
        } catch (IOException e) {
            return e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return e.toString();
        }
    }

    /** Waits until {@code /api/v1/cluster} on {@code node} lists {@code n} nodes with coordination ok. */
    static void awaitClusterNodes(GatewayProcess node, int n, Duration timeout) throws InterruptedException {
        String admin = GatewayProcess.adminToken();
        String[] last = {""};
        await(timeout, () -> {
            try {
                HttpResponse<String> r = node.get("/api/v1/cluster", admin);
                last[0] = r.statusCode() + " " + r.body();
                JsonNode body = JSON.readTree(r.body());
                return r.statusCode() == 200 && body.path("coordination").asText().equals("ok")
                        && body.path("nodes").size() == n;
            } catch (IOException e) {
                last[0] = e.toString();
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }, () -> node + " /api/v1/cluster lists " + n + " nodes: " + last[0]);
    }

    /** The first line of the node's {@code /metrics} starting with {@code name}, or "absent". */
    static String metricLine(GatewayProcess node, String name) throws IOException, InterruptedException {
        return node.get("/metrics").body().lines().filter(l -> l.startsWith(name)).findFirst().orElse("absent");
    }

    /** The HTTP status of a WebSocket handshake with {@code token} ({@code Authorization: Bearer}): 101 if accepted. */
    static int handshakeStatus(GatewayProcess node, String token) throws Exception {
        try {
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                    .header("Authorization", "Bearer " + token)
                    .connectTimeout(Duration.ofSeconds(5))
                    .buildAsync(URI.create(node.wsUri()), new WebSocket.Listener() {})
                    .get(10, TimeUnit.SECONDS);
            ws.abort();
            return 101;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException h) {
                return h.getResponse().statusCode();
            }
            throw e;
        }
    }
}
