package io.tickwire.redis;

import static io.tickwire.redis.TestNodes.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.tickwire.testsupport.RedisServerProcess;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The node registry against a real redis-server: three nodes list each other; stopped nodes disappear. */
class NodeRegistryRedisTest {

    @RegisterExtension
    static final RedisServerProcess redis = new RedisServerProcess();

    private final TestNodes farm = new TestNodes(redis.url());

    @AfterEach
    void closeNodes() {
        farm.close();
    }

    @Test
    void everyNodeListsTheLiveNodesWithTheirLoad() throws Exception {
        TestNodes.Node a = farm.startUp("a");
        TestNodes.Node b = farm.startUp("b");
        TestNodes.Node c = farm.startUp("c");
        b.load.set(new NodeLoad(true, false, 42, 7, 3));
        await("b's load reaches the registry", 3_000, () -> {
            List<NodeInfo> nodes = nodes(c.coordinator);
            return nodes.size() == 3 && nodes.get(1).connections() == 42;
        });
        for (TestNodes.Node n : List.of(a, b, c)) {
            List<NodeInfo> nodes = nodes(n.coordinator);
            assertThat(nodes).extracting(NodeInfo::node).containsExactly("a", "b", "c");
            NodeInfo nb = nodes.get(1);
            assertThat(nb.ready()).isTrue();
            assertThat(nb.draining()).isFalse();
            assertThat(nb.subscriptions()).isEqualTo(7);
            assertThat(nb.rooms()).isEqualTo(3);
            assertThat(nb.startedAt()).isPositive().isLessThanOrEqualTo(System.currentTimeMillis());
        }
        assertThat(a.states).containsExactly(CoordinationState.DEGRADED, CoordinationState.OK);
    }

    @Test
    void aClosedNodeLeavesAtOnceAndAKilledOneAfterItsTtl() throws Exception {
        TestNodes.Node a = farm.startUp("a");
        TestNodes.Node b = farm.startUp("b");
        TestNodes.Node c = farm.startUp("c");
        await("three nodes", 3_000, () -> nodes(a.coordinator).size() == 3);

        b.coordinator.close();
        assertThat(nodes(a.coordinator)).extracting(NodeInfo::node).containsExactly("a", "c");
        assertThat(b.coordinator.state()).isEqualTo(CoordinationState.OFF);

        long killed = System.nanoTime();
        c.coordinator.abandon(); // stops heartbeating without a word, as kill -9 would
        assertThat(nodes(a.coordinator)).extracting(NodeInfo::node).contains("c"); // until its TTL runs out
        await("c expires", TestNodes.TTL.toMillis() + 2_000,
                () -> nodes(a.coordinator).stream().map(NodeInfo::node).toList().equals(List.of("a")));
        long gone = (System.nanoTime() - killed) / 1_000_000;
        System.out.printf("registry: a node that stopped heartbeating disappeared after %d ms (TTL %d ms)%n", gone,
                TestNodes.TTL.toMillis());
        assertThat(gone).isGreaterThanOrEqualTo(TestNodes.TTL.toMillis() - TestNodes.HEARTBEAT.toMillis() - 50);
    }

    static List<NodeInfo> nodes(RedisCoordinator c) {
        try {
            return c.nodes().toCompletableFuture().get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("nodes() failed", e);
        }
    }
}
