package io.tickwire.redis;

import io.tickwire.gateway.cluster.Coordinator;
import io.tickwire.gateway.cluster.CoordinatorProvider;
import io.tickwire.gateway.cluster.FarmRevocation;
import io.tickwire.gateway.cluster.NodeStatus;
import io.tickwire.gateway.config.GatewayConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** {@code cluster.redis.url} set: the gateway's {@link Coordinator} is a {@link RedisCoordinator}. */
public final class RedisCoordinatorProvider implements CoordinatorProvider {

    @Override
    public Coordinator create(GatewayConfig config, Supplier<NodeStatus> self, Consumer<FarmRevocation> received) {
        GatewayConfig.Cluster c = config.cluster();
        CoordinatorSettings settings = CoordinatorSettings.of(c.redisUrl(), config.nodeId())
                .withKeyPrefix(c.keyPrefix())
                .withHeartbeat(Duration.ofMillis(c.heartbeatMs()), Duration.ofMillis(c.nodeTtlMs()))
                .withMaxRevocations(config.auth().maxRevocations());
        Supplier<NodeLoad> load = () -> {
            NodeStatus s = self.get();
            return new NodeLoad(s.ready(), s.draining(), s.connections(), s.subscriptions(), s.rooms());
        };
        return new Adapter(new RedisCoordinator(settings, load, r -> received.accept(r.kind() == Revocation.Kind.USER
                ? FarmRevocation.ofUser(r.key(), r.issuedBefore(), r.forgetAt())
                : FarmRevocation.token(r.key(), r.forgetAt()))));
    }

    /** The gateway's view of a {@link RedisCoordinator}. */
    private record Adapter(RedisCoordinator redis) implements Coordinator {

        @Override
        public void start() {
            redis.start();
        }

        @Override
        public boolean settled() {
            return redis.settled();
        }

        @Override
        public State state() {
            return switch (redis.state()) {
                case OK -> State.OK;
                case DEGRADED -> State.DEGRADED;
                case OFF -> State.OFF;
            };
        }

        @Override
        public CompletionStage<List<NodeStatus>> nodes() {
            return redis.nodes().thenApply(nodes -> nodes.stream()
                    .map(n -> new NodeStatus(n.node(), n.ready(), n.draining(), n.connections(), n.subscriptions(),
                            n.rooms(), n.startedAt()))
                    .toList());
        }

        @Override
        public CompletionStage<Boolean> share(FarmRevocation r) {
            Revocation revocation = r.user() ? Revocation.user(r.key(), r.issuedBefore(), r.forgetAt())
                    : Revocation.token(r.key(), r.forgetAt());
            return redis.revoke(revocation).thenApply(p -> p == Propagation.PUBLISHED);
        }

        @Override
        public void connectionOpened(String user) {
            redis.connectionOpened(user);
        }

        @Override
        public void connectionClosed(String user) {
            redis.connectionClosed(user);
        }

        @Override
        public CompletionStage<Integer> connectionsElsewhere(String user) {
            return redis.connectionsElsewhere(user).thenApply(r -> r.known() ? r.connections() : -1);
        }

        @Override
        public void close() {
            redis.close();
        }
    }
}
