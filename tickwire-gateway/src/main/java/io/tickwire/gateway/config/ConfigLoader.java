package io.tickwire.gateway.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.tickwire.gateway.config.GatewayConfig.Mode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one way to build a {@link GatewayConfig}. Layers, each overriding the one before:
 * <ol>
 *   <li>the embedded {@code config/defaults.yaml} (every key, documented; users copy it);
 *   <li>in demo mode, the embedded {@code config/demo.yaml};
 *   <li>the user's YAML file, if any: only known keys, except new room kinds under {@code rooms.kinds},
 *       whose missing keys come from {@code config/kind-template.yaml};
 *   <li>{@code TICKWIRE_*} environment variables, one per key ({@link EnvOverrides}).
 * </ol>
 * Then values left empty are generated (node id; in demo mode the HMAC secret), and the tree is bound and
 * checked ({@link ConfigBinder}). Any problem is a {@link ConfigException} naming the key path.
 */
public final class ConfigLoader {

    static final String DEFAULTS = "config/defaults.yaml";
    static final String DEMO_OVERLAY = "config/demo.yaml";
    static final String KIND_TEMPLATE = "config/kind-template.yaml";
    static final String MISSING_SECRET = "no token verification key: set auth.hmac-secret in the config file or "
            + "TICKWIRE_AUTH_HMAC_SECRET (at least " + ConfigBinder.MIN_HMAC_SECRET_BYTES + " bytes), "
            + "or auth.public-key-file (TICKWIRE_AUTH_PUBLIC_KEY_FILE), or auth.jwks-url (TICKWIRE_AUTH_JWKS_URL)";

    private static final YAMLMapper YAML =
            YAMLMapper.builder().enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY).build();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern DUPLICATE_KEY = Pattern.compile("Duplicate field '([^']*)'");

    private ConfigLoader() {}

    /**
     * Loads the configuration for {@code mode} from the defaults, {@code fileOrNull} (may be null) and
     * {@code env} (normally {@code System.getenv()}).
     *
     * @throws ConfigException if the file cannot be read or any key or value is wrong
     */
    public static GatewayConfig load(Mode mode, Path fileOrNull, Map<String, String> env) {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(env, "env");
        ConfigTree tree = assemble(mode, fileOrNull, env);
        generateMissing(tree, mode);
        return new ConfigBinder(tree).bind(mode);
    }

    /** The effective configuration, one {@code key.path: value} per line, secrets masked. */
    public static String describe(GatewayConfig config) {
        return ConfigDescription.render(config);
    }

    /** All layers merged, before generated values and binding. */
    static ConfigTree assemble(Mode mode, Path fileOrNull, Map<String, String> env) {
        ConfigTree tree = new ConfigTree((ObjectNode) embedded(DEFAULTS), "the embedded " + DEFAULTS);
        ConfigMerger merger = new ConfigMerger(tree, (ObjectNode) embedded(KIND_TEMPLATE));
        if (mode == Mode.DEMO) {
            merger.merge(embedded(DEMO_OVERLAY), "the embedded " + DEMO_OVERLAY);
        }
        if (fileOrNull != null) {
            merger.merge(read(fileOrNull), "file " + fileOrNull);
        }
        EnvOverrides.apply(tree, env);
        return tree;
    }

    private static void generateMissing(ConfigTree tree, Mode mode) {
        if (isEmptyText(tree.get("node-id"))) {
            String nodeId = String.format("gw-%06x", RANDOM.nextInt(1 << 24));
            tree.set("node-id", TextNode.valueOf(nodeId), "a random id generated at start");
        }
        if (isEmptyText(tree.get("auth.hmac-secret"))) {
            if (mode == Mode.SERVE) {
                if (isEmptyText(tree.get("auth.public-key-file")) && isEmptyText(tree.get("auth.jwks-url"))) {
                    throw new ConfigException(MISSING_SECRET);
                }
                return; // verified by public key or JWKS only
            }
            byte[] key = new byte[ConfigBinder.MIN_HMAC_SECRET_BYTES];
            RANDOM.nextBytes(key);
            String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(key);
            tree.set("auth.hmac-secret", TextNode.valueOf(secret), "a random secret generated for demo mode");
        }
    }

    private static boolean isEmptyText(JsonNode node) {
        return node.isTextual() && node.asText().isEmpty();
    }

    private static JsonNode read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException("config file not found: " + file, e);
        } catch (AccessDeniedException e) {
            throw new ConfigException("cannot read config file " + file + ": permission denied", e);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
        try {
            return YAML.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new ConfigException("cannot parse config file " + file + at(e.getLocation()) + ": "
                    + plain(e.getOriginalMessage()), e);
        } catch (IOException e) {
            throw new ConfigException("cannot parse config file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Jackson's duplicate-key message names its own internals; say it in the user's terms. */
    private static String plain(String message) {
        Matcher duplicate = DUPLICATE_KEY.matcher(message);
        return duplicate.lookingAt() ? "key '" + duplicate.group(1) + "' appears twice in the same mapping" : message;
    }

    private static String at(JsonLocation location) {
        return location == null || location.getLineNr() < 1
                ? ""
                : " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }

    private static JsonNode embedded(String resource) {
        try (InputStream in = ConfigLoader.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("resource " + resource + " is missing from the build");
            }
            return YAML.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read embedded " + resource, e);
        }
    }
}
