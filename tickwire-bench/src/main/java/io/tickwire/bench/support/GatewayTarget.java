package io.tickwire.bench.support;

import java.net.URI;
import picocli.CommandLine.Option;

/**
 * The gateway a command drives and the secret it mints tokens with: the options every command shares
 * ({@code @Mixin}). The secret defaults to the gateway's own variable, {@code TICKWIRE_AUTH_HMAC_SECRET}.
 */
public final class GatewayTarget {

    @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", description = "Gateway base URL (default: ${DEFAULT-VALUE}).")
    public URI url;

    @Option(names = "--secret", description = "The gateway's HMAC secret (TICKWIRE_AUTH_HMAC_SECRET); default: that variable.")
    private String secret;

    /** The secret given, else the environment's; null if neither. */
    public String secret() {
        return secret != null ? secret : System.getenv("TICKWIRE_AUTH_HMAC_SECRET");
    }
}
