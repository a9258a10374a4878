package io.tickwire.server;

import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.tickwire.testsupport.NatsServerProcess;
import io.tickwire.testsupport.RedisServerProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One farm for one test: a {@code nats-server -js}, optionally a {@code redis-server}, and gateway nodes configured
 * for them ({@code bus.type nats}, {@code cluster.redis.url}), plus what the test opens (clients, publishers, NATS
 * connections), all ended by {@link #close()}.
 */
final class Farm implements AutoCloseable {

    static final String SUBJECT_PREFIX = "tickwire";
    static final Duration READY = Duration.ofSeconds(60);

    final NatsServerProcess nats = new NatsServerProcess();
    final RedisServerProcess redis;
    private final Map<String, String> extraEnv = new HashMap<>();
    private final List<GatewayProcess> nodes = new ArrayList<>();
    private final List<AutoCloseable> opened = new ArrayList<>();

    /** Starts NATS, and Redis when {@code withRedis}. */
    Farm(boolean withRedis) throws Exception {
        redis = withRedis ? new RedisServerProcess() : null;
        try {
            nats.start();
            if (redis != null) {
                redis.start();
            }
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    /** A variable every node started from now on gets. */
    Farm env(String key, String value) {
        extraEnv.put(key, value);
        return this;
    }

    /** The variables of a node of this farm. */
    Map<String, String> nodeEnv() {
        Map<String, String> env = new HashMap<>();
        env.put("TICKWIRE_BUS_TYPE", "nats");
        env.put("TICKWIRE_BUS_NATS_URLS", nats.url());
        env.put("TICKWIRE_CLUSTER_REDIS_URL", redis != null ? redis.url() : "");
        // a stopped node drains its clients over 1 s instead of 10
        env.put("TICKWIRE_DRAIN_WINDOW_SECONDS", "1");
        env.put("TICKWIRE_DRAIN_EXIT_DEADLINE_SECONDS", "5");
        env.putAll(extraEnv);
        return env;
    }

    /** Starts nodes with these names at once and waits until every one is ready. */
    List<GatewayProcess> start(String... names) throws Exception {
        List<GatewayProcess> started = new ArrayList<>();
        for (String name : names) {
            GatewayProcess node = new GatewayProcess(name, nodeEnv());
            nodes.add(node);
            started.add(node);
        }
        ExecutorService pool = Executors.newFixedThreadPool(names.length);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (GatewayProcess node : started) {
                done.add(pool.submit(() -> {
                    node.start();
                    node.waitReady(READY);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return started;
    }

    /** A jnats connection to the farm's NATS that reconnects forever (closed with the farm). */
    Connection natsConnection() throws Exception {
        Options options = Options.builder().server(nats.url())
                .maxReconnects(-1)
                .reconnectWait(Duration.ofMillis(100))
                .connectionTimeout(Duration.ofSeconds(2))
                .errorListener(new ErrorListener() {})
                .build();
        Connection nc = Nats.connect(options);
        opened.add(nc);
        return nc;
    }

    /** Closes {@code c} with the farm (first, in reverse order of registration). */
    <T extends AutoCloseable> T closeLater(T c) {
        opened.add(c);
        return c;
    }

    @Override
    public void close() {
        for (int i = opened.size() - 1; i >= 0; i--) {
            try {
                opened.get(i).close();
            } catch (Exception ignored) {
                // best effort
            }
        }
        for (GatewayProcess node : nodes) {
            node.close();
        }
        if (redis != null) {
            redis.close();
        }
        nats.close();
    }
}
