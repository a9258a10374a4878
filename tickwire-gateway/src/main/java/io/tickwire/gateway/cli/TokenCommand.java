package io.tickwire.gateway.cli;

import io.tickwire.gateway.auth.TokenMinter;
import io.tickwire.gateway.config.ConfigException;
import io.tickwire.gateway.config.ConfigLoader;
import io.tickwire.gateway.config.GatewayConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tickwire token}: prints a token signed with the configured {@code auth.hmac-secret}, as the gateway with the
 * same configuration accepts it (issuer, audience, rooms claim): for operators (an admin token for
 * {@code /api/v1/cluster} and {@code revoke}, a publisher's) and for trying a node. Clients get theirs from the
 * platform's own auth service.
 */
@Command(name = "token", mixinStandardHelpOptions = true,
        description = "Print a token signed with auth.hmac-secret (TICKWIRE_AUTH_HMAC_SECRET or --config).")
final class TokenCommand implements Callable<Integer> {

    @Option(names = "--sub", required = true, description = "the token's subject (user)")
    String subject;

    @Option(names = "--rooms", split = ",", description = "rooms granted, comma-separated (e.g. account:42,orders:42)")
    List<String> rooms = List.of();

    @Option(names = "--scope", description = "space-separated scopes, e.g. \"tickwire:admin\" or \"tickwire:publish\"")
    String scope = "";

    @Option(names = "--ttl-seconds", description = "lifetime in seconds (default: ${DEFAULT-VALUE})")
    long ttlSeconds = 3600;

    @Option(names = "--config", paramLabel = "FILE", description = "the gateway's YAML configuration (optional)")
    Path config;

    /** The environment the configuration is read from (tests give their own). */
    Map<String, String> env = System.getenv();

    @Override
    public Integer call() {
        GatewayConfig cfg;
        try {
            cfg = ConfigLoader.load(GatewayConfig.Mode.SERVE, config, env);
        } catch (ConfigException e) {
            System.err.println("tickwire token: " + e.getMessage());
            return 2;
        }
        if (cfg.auth().hmacSecret().isEmpty()) {
            System.err.println("tickwire token: needs auth.hmac-secret (TICKWIRE_AUTH_HMAC_SECRET): tokens for a public"
                    + " key or JWKS come from the key's owner");
            return 2;
        }
        if (ttlSeconds < 1) {
            System.err.println("tickwire token: --ttl-seconds must be at least 1");
            return 2;
        }
        String jti = UUID.randomUUID().toString();
        System.out.println(new TokenMinter(cfg.auth().hmacSecret()).mint(cfg.auth(), subject, rooms, scope,
                System.currentTimeMillis() + ttlSeconds * 1000, jti));
        return 0;
    }
}
