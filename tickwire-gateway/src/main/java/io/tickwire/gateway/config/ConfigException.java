package io.tickwire.gateway.config;

/**
 * The configuration cannot be used. The message is meant for the person starting the gateway: it names
 * the key path (or file, or environment variable), the offending value (never a secret's) and what is
 * expected, so it can be printed as is before the start stops.
 */
public final class ConfigException extends RuntimeException {

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
