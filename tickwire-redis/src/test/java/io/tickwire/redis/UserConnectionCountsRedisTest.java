package io.tickwire.redis;

import static io.tickwire.redis.TestNodes.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.tickwire.testsupport.RedisServerProcess;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Per-user connection counts across nodes against a real redis-server. */
class UserConnectionCountsRedisTest {

    @RegisterExtension
    static final RedisServerProcess redis = new RedisServerProcess();

    private final TestNodes farm = new TestNodes(redis.url());

    @AfterEach
    void closeNodes() {
        farm.close();
    }

    @Test
    void eachNodeSeesTheUsersConnectionsOnTheOthersAndAKilledNodesCountsExpire() throws Exception {
        TestNodes.Node a = farm.startUp("a");
        TestNodes.Node b = farm.startUp("b");
        TestNodes.Node c = farm.startUp("c");
        a.coordinator.connectionOpened("alice");
        a.coordinator.connectionOpened("alice");
        b.coordinator.connectionOpened("alice");
        b.coordinator.connectionOpened("bob");

        await("c counts alice's 3", 2_000, () -> elsewhere(c, "alice").equals(new RemoteConnections(3, true)));
        assertThat(elsewhere(a, "alice")).isEqualTo(new RemoteConnections(1, true)); // a's own are not "elsewhere"
        assertThat(elsewhere(b, "alice")).isEqualTo(new RemoteConnections(2, true));
        assertThat(elsewhere(a, "bob")).isEqualTo(new RemoteConnections(1, true));
        assertThat(elsewhere(a, "nobody")).isEqualTo(new RemoteConnections(0, true));

        a.coordinator.connectionClosed("alice");
        await("a's close counted", 2_000, () -> elsewhere(c, "alice").connections() == 2);

        long killed = System.nanoTime();
        b.coordinator.abandon(); // b's hash outlives it by at most the TTL
        assertThat(elsewhere(c, "alice").connections()).isEqualTo(2);
        await("b's counts expire", TestNodes.TTL.toMillis() + 2_000, () -> elsewhere(c, "alice").connections() == 1);
        System.out.printf("counts: a node that stopped heartbeating stopped counting after %d ms (TTL %d ms)%n",
                (System.nanoTime() - killed) / 1_000_000, TestNodes.TTL.toMillis());
        assertThat(elsewhere(a, "bob")).isEqualTo(new RemoteConnections(0, true));
        assertThat(c.coordinator.failedCountLookups()).isZero();
    }

    static RemoteConnections elsewhere(TestNodes.Node n, String user) {
        try {
            return n.coordinator.connectionsElsewhere(user).toCompletableFuture().get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("connectionsElsewhere must not fail", e);
        }
    }
}
