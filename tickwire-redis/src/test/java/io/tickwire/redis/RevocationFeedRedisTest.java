package io.tickwire.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickwire.testsupport.RedisServerProcess;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Revocations across three nodes against a real redis-server, with the propagation time measured. */
class RevocationFeedRedisTest {

    @RegisterExtension
    static final RedisServerProcess redis = new RedisServerProcess();

    private final TestNodes farm = new TestNodes(redis.url());

    @AfterEach
    void closeNodes() {
        farm.close();
    }

    @Test
    void aRevocationOnOneNodeReachesTheOthersOnceAndALateNodeLoadsIt() throws Exception {
        TestNodes.Node a = farm.startUp("a");
        TestNodes.Node b = farm.startUp("b");
        TestNodes.Node c = farm.startUp("c");
        long forgetAt = System.currentTimeMillis() + 60_000;

        Revocation user = Revocation.user("alice", System.currentTimeMillis(), forgetAt);
        long t0 = System.nanoTime();
        Propagation p = a.coordinator.revoke(user).toCompletableFuture().get(2, TimeUnit.SECONDS);
        assertThat(p).isEqualTo(Propagation.PUBLISHED);
        TestNodes.Received atB = b.revocations.poll(5, TimeUnit.SECONDS);
        TestNodes.Received atC = c.revocations.poll(5, TimeUnit.SECONDS);
        assertThat(atB).as("b got it").isNotNull();
        assertThat(atC).as("c got it").isNotNull();
        assertThat(atB.revocation()).isEqualTo(user);
        assertThat(atC.revocation()).isEqualTo(user);
        System.out.printf("revocation propagation A -> B %.2f ms, A -> C %.2f ms%n",
                (atB.atNanos() - t0) / 1e6, (atC.atNanos() - t0) / 1e6);

        Revocation token = Revocation.token("jti-1", forgetAt);
        assertThat(b.coordinator.revoke(token).toCompletableFuture().get(2, TimeUnit.SECONDS))
                .isEqualTo(Propagation.PUBLISHED);
        assertThat(a.revocations.poll(5, TimeUnit.SECONDS).revocation()).isEqualTo(token);
        assertThat(c.revocations.poll(5, TimeUnit.SECONDS).revocation()).isEqualTo(token);

        TestNodes.Node d = farm.startUp("d"); // started after both: loads them at start
        assertThat(d.revocations.poll(2, TimeUnit.SECONDS)).isNotNull();
        assertThat(d.revocations.poll(2, TimeUnit.SECONDS)).isNotNull();

        // Nothing more anywhere: no node re-applies its own message, none gets one twice (message + catch-up).
        Thread.sleep(3 * TestNodes.HEARTBEAT.toMillis());
        assertThat(a.revocations).isEmpty();
        assertThat(b.revocations).isEmpty();
        assertThat(c.revocations).isEmpty();
        assertThat(d.revocations).isEmpty();
    }

    @Test
    void anExpiredRevocationIsNotLoaded() throws Exception {
        TestNodes.Node a = farm.startUp("a");
        Revocation soon = Revocation.token("short", System.currentTimeMillis() + 300);
        assertThat(a.coordinator.revoke(soon).toCompletableFuture().get(2, TimeUnit.SECONDS))
                .isEqualTo(Propagation.PUBLISHED);
        Thread.sleep(400);
        TestNodes.Node b = farm.startUp("b");
        Thread.sleep(3 * TestNodes.HEARTBEAT.toMillis());
        assertThat(b.revocations).isEmpty();
    }
}
