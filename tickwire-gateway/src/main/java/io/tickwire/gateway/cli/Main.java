package io.tickwire.gateway.cli;

import io.tickwire.gateway.Gateway;
import io.tickwire.gateway.bus.BusUnavailableException;
import io.tickwire.gateway.config.ConfigException;
import io.tickwire.gateway.config.ConfigLoader;
import io.tickwire.gateway.config.GatewayConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tickwire demo}, {@code tickwire serve} and {@code tickwire token}. */
@Command(name = "tickwire", mixinStandardHelpOptions = true, version = "tickwire 0.1.0",
        description = "WebSocket gateway for real-time trading data.",
        subcommands = {Main.Demo.class, Main.Serve.class, TokenCommand.class})
public final class Main implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(Main.class);

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    abstract static class Run implements Callable<Integer> {
        @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file (optional; TICKWIRE_* environment variables override it)")
        Path config;

        @Option(names = "--port", description = "port to listen on (overrides server.port)")
        Integer port;

        abstract GatewayConfig.Mode mode();

        @Override
        public Integer call() throws Exception {
            Map<String, String> env = new HashMap<>(System.getenv());
            if (port != null) {
                env.put("TICKWIRE_SERVER_PORT", Integer.toString(port));
            }
            GatewayConfig cfg;
            try {
                cfg = ConfigLoader.load(mode(), config, env);
            } catch (ConfigException e) {
                System.err.println("tickwire: cannot start: " + e.getMessage());
                return 2;
            }
            log.info("effective configuration:\n{}", ConfigLoader.describe(cfg));
            long t0 = System.nanoTime();
            Gateway gateway;
            try {
                gateway = Gateway.start(cfg);
            } catch (IllegalArgumentException | ConfigException | BusUnavailableException e) {
                // a bad key file, a module missing for bus.type or cluster.redis.url, NATS unreachable
                System.err.println("tickwire: cannot start: " + e.getMessage());
                return 2;
            }
            log.info("started in {} ms{}", (System.nanoTime() - t0) / 1_000_000,
                    mode() == GatewayConfig.Mode.DEMO ? ": open http://localhost:" + gateway.port() + "/" : "");
            CountDownLatch stopped = new CountDownLatch(1);
            Duration deadline = Duration.ofSeconds(cfg.drain().exitDeadlineSeconds());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                shutdown(gateway, deadline);
                stopped.countDown();
            }, "tickwire-shutdown"));
            stopped.await();
            return 0;
        }
    }

    /**
     * What SIGTERM does: drains the node (its connections are closed with 1012 over {@code drain.window-seconds}),
     * waits until no connection is left or {@code deadline} has passed, then stops it, closing any connection
     * still open with 1001.
     *
     * @return true if the last connection was gone before the deadline
     */
    static boolean shutdown(Gateway gateway, Duration deadline) {
        long t0 = System.nanoTime();
        boolean drained = false;
        try {
            gateway.drain().get(deadline.toMillis(), TimeUnit.MILLISECONDS);
            drained = true;
        } catch (TimeoutException e) {
            log.warn("drain deadline ({} s) reached with {} connections open: closing them", deadline.toSeconds(),
                    gateway.connections());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            log.warn("drain failed", e.getCause());
        }
        gateway.close();
        log.info("stopped {} in {} ms", drained ? "after draining" : "before the drain was complete",
                (System.nanoTime() - t0) / 1_000_000);
        return drained;
    }

    @Command(name = "demo", mixinStandardHelpOptions = true,
            description = "Run with everything embedded: in-memory bus, simulated market, dev tokens, live page.")
    static final class Demo extends Run {
        @Override
        GatewayConfig.Mode mode() {
            return GatewayConfig.Mode.DEMO;
        }
    }

    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = "Run in production: no simulated feed, no dev tokens; a verification key is required.")
    static final class Serve extends Run {
        @Override
        GatewayConfig.Mode mode() {
            return GatewayConfig.Mode.SERVE;
        }
    }
}
