package io.tickwire.redis;

import static io.tickwire.redis.TestNodes.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tickwire.testsupport.RedisServerProcess;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * Redis stopped and restarted empty under a farm of nodes: calls fail fast and never throw, the state degrades with
 * one WARN and recovers by itself with one INFO, and revocations (made during and after the outage) reach every
 * node again once Redis is back.
 */
class RedisOutageTest {

    /** What "fast" means for a call while Redis is down: far below a heartbeat of production's 2 s. */
    static final long FAST_MILLIS = 1_000;

    @RegisterExtension
    static final RedisServerProcess redis = new RedisServerProcess();

    private final TestNodes farm = new TestNodes(redis.url());
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger coordinatorLog = (Logger) LoggerFactory.getLogger(RedisCoordinator.class);

    @BeforeEach
    void captureLogs() throws Exception {
        if (!redis.running()) {
            redis.start();
        }
        logs.start();
        coordinatorLog.addAppender(logs);
    }

    @AfterEach
    void closeNodes() {
        farm.close();
        coordinatorLog.detachAppender(logs);
    }

    @Test
    void callsFailFastWhileRedisIsDownAndEverythingWorksAgainWhenItReturnsEmpty() throws Exception {
        TestNodes.Node a = farm.startUp("a");
        TestNodes.Node b = farm.startUp("b");
        a.coordinator.connectionOpened("alice");
        await("b sees alice on a", 2_000, () -> elsewhere(b, "alice").connections() == 1);

        redis.stop();
        await("a degraded", 3_000, () -> a.coordinator.state() == CoordinationState.DEGRADED);
        await("b degraded", 3_000, () -> b.coordinator.state() == CoordinationState.DEGRADED);
        TestNodes.Node late = farm.start("late"); // a node starting while Redis is down starts all the same

        long t = System.nanoTime();
        CompletionStage<List<NodeInfo>> nodes = a.coordinator.nodes();
        assertThatThrownBy(() -> nodes.toCompletableFuture().get(FAST_MILLIS, TimeUnit.MILLISECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(CoordinationUnavailableException.class);
        assertFast("nodes()", t);

        t = System.nanoTime();
        assertThat(b.coordinator.connectionsElsewhere("alice").toCompletableFuture().get(FAST_MILLIS, TimeUnit.MILLISECONDS))
                .isEqualTo(new RemoteConnections(0, false));
        assertFast("connectionsElsewhere()", t);
        assertThat(b.coordinator.failedCountLookups()).isEqualTo(1);

        Revocation duringOutage = Revocation.user("mallory", System.currentTimeMillis(), System.currentTimeMillis() + 60_000);
        t = System.nanoTime();
        assertThat(a.coordinator.revoke(duringOutage).toCompletableFuture().get(FAST_MILLIS, TimeUnit.MILLISECONDS))
                .isEqualTo(Propagation.PENDING);
        assertFast("revoke()", t);

        t = System.nanoTime();
        a.coordinator.connectionOpened("alice"); // counted here; Redis gets it when it returns
        b.coordinator.connectionClosed("nobody");
        assertFast("connectionOpened()/connectionClosed()", t);
        Thread.sleep(500); // a few heartbeats fail meanwhile: still one WARN per node
        assertThat(late.coordinator.state()).isEqualTo(CoordinationState.DEGRADED);

        redis.start(); // same port, empty
        long back = System.nanoTime();
        await("a recovers", 5_000, a.coordinator::up);
        await("b recovers", 5_000, b.coordinator::up);
        await("the late node comes up", 5_000, late.coordinator::up);
        System.out.printf("outage: coordination OK again %d ms after Redis restarted%n",
                (System.nanoTime() - back) / 1_000_000);

        // Redis came back empty and was healed by the nodes: registry, counts, the pending revocation.
        await("registry refilled", 3_000, () -> nodeIds(b).equals(List.of("a", "b", "late")));
        await("a's counts rewritten", 3_000, () -> elsewhere(b, "alice").equals(new RemoteConnections(2, true)));
        TestNodes.Received pending = b.revocations.poll(5, TimeUnit.SECONDS);
        assertThat(pending).as("the revocation made while Redis was down reaches b").isNotNull();
        assertThat(pending.revocation()).isEqualTo(duringOutage);
        assertThat(late.revocations.poll(5, TimeUnit.SECONDS).revocation()).isEqualTo(duringOutage);

        // And a new revocation works across nodes as before.
        Revocation after = Revocation.token("jti-after", System.currentTimeMillis() + 60_000);
        long t0 = System.nanoTime();
        assertThat(b.coordinator.revoke(after).toCompletableFuture().get(2, TimeUnit.SECONDS))
                .isEqualTo(Propagation.PUBLISHED);
        TestNodes.Received atA = a.revocations.poll(5, TimeUnit.SECONDS);
        assertThat(atA).isNotNull();
        assertThat(atA.revocation()).isEqualTo(after);
        System.out.printf("revocation after the outage B -> A %.2f ms%n", (atA.atNanos() - t0) / 1e6);
        assertThat(late.revocations.poll(5, TimeUnit.SECONDS).revocation()).isEqualTo(after);

        Thread.sleep(3 * TestNodes.HEARTBEAT.toMillis());
        assertThat(a.revocations).as("a never re-applies its own").isEmpty();
        assertThat(b.revocations).as("b got each once").isEmpty();
        assertThat(a.states).containsExactly(CoordinationState.DEGRADED, CoordinationState.OK,
                CoordinationState.DEGRADED, CoordinationState.OK);
        assertThat(logLines("a", Level.WARN)).hasSize(1);
        assertThat(logLines("a", Level.INFO)).hasSize(2); // up, recovered
        assertThat(logLines("a", Level.INFO).get(1)).contains("recovered");
        assertThat(logLines("late", Level.WARN)).hasSize(1).allMatch(m -> m.contains("cannot reach Redis"));
    }

    @Test
    void aHungRedisTimesCallsOutAndNothingQueuesWithoutBound() throws Exception {
        TestNodes.Node a = farm.startUp("a");
        TestNodes.Node b = farm.startUp("b");
        long bound = 2 * TestNodes.COMMAND_TIMEOUT.toMillis() + 500; // a lookup is two round trips at most
        Revocation duringHang = Revocation.token("jti-hang", System.currentTimeMillis() + 60_000);
        redis.pause(); // connections stay open; nothing answers
        try {
            long t = System.nanoTime();
            assertThat(elsewhere(b, "alice")).isEqualTo(new RemoteConnections(0, false));
            assertBounded("connectionsElsewhere() on a hung Redis", t, bound);
            t = System.nanoTime();
            assertThat(a.coordinator.revoke(duringHang).toCompletableFuture().get(5, TimeUnit.SECONDS))
                    .isEqualTo(Propagation.PENDING);
            assertBounded("revoke() on a hung Redis", t, bound);
            t = System.nanoTime();
            for (int i = 0; i < 3_000; i++) { // 6,000 commands against a queue of 1,024: the rest refused at once
                a.coordinator.connectionOpened("user-" + (i % 10));
            }
            assertBounded("3,000 connectionOpened() on a hung Redis", t, 1_000);
            await("a degraded", 5_000, () -> a.coordinator.state() == CoordinationState.DEGRADED);
        } finally {
            redis.resume();
        }
        await("a recovers", 5_000, a.coordinator::up);
        await("b recovers", 5_000, b.coordinator::up);
        await("a's counts converge", 5_000, () -> elsewhere(b, "user-0").equals(new RemoteConnections(300, true)));
        TestNodes.Received pending = b.revocations.poll(5, TimeUnit.SECONDS);
        assertThat(pending).as("the revocation made while Redis hung reaches b").isNotNull();
        assertThat(pending.revocation()).isEqualTo(duringHang);
        assertThat(logLines("a", Level.WARN)).hasSize(1);
    }

    private static void assertBounded(String what, long startNanos, long boundMillis) {
        long ms = (System.nanoTime() - startNanos) / 1_000_000;
        System.out.printf("hang: %s answered in %d ms%n", what, ms);
        assertThat(ms).as(what).isLessThan(boundMillis);
    }

    private static void assertFast(String what, long startNanos) {
        long ms = (System.nanoTime() - startNanos) / 1_000_000;
        System.out.printf("outage: %s answered in %d ms%n", what, ms);
        assertThat(ms).as(what + " while Redis is down").isLessThan(FAST_MILLIS);
    }

    private List<String> logLines(String node, Level level) {
        return logs.list.stream()
                .filter(e -> e.getLevel() == level && e.getFormattedMessage().startsWith("coordination of node " + node + " "))
                .map(ILoggingEvent::getFormattedMessage).toList();
    }

    private static List<String> nodeIds(TestNodes.Node n) {
        return NodeRegistryRedisTest.nodes(n.coordinator).stream().map(NodeInfo::node).toList();
    }

    private static RemoteConnections elsewhere(TestNodes.Node n, String user) {
        return UserConnectionCountsRedisTest.elsewhere(n, user);
    }
}
