package io.tickwire.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Applies {@code TICKWIRE_*} environment variables, the last layer of the configuration. Each leaf key
 * path of the assembled tree has one variable: {@code TICKWIRE_} followed by the path in upper case with
 * dots and dashes as underscores ({@code auth.hmac-secret} is {@code TICKWIRE_AUTH_HMAC_SECRET}). Lists
 * are comma-separated, an empty value being the empty list. Values are taken as text and typed by the
 * binder. A {@code TICKWIRE_} variable that names no key is an error, so a misspelt one is not ignored.
 */
final class EnvOverrides {

    static final String PREFIX = "TICKWIRE_";

    private EnvOverrides() {}

    /** The variable that overrides {@code keyPath}. */
    static String variableFor(String keyPath) {
        return PREFIX + keyPath.replace('.', '_').replace('-', '_').toUpperCase(Locale.ROOT);
    }

    /** Variable name to key path for every leaf of the tree, in document order. */
    static Map<String, String> variables(ConfigTree tree) {
        Map<String, String> byName = new LinkedHashMap<>();
        for (String path : tree.leaves().keySet()) {
            String previous = byName.put(variableFor(path), path);
            if (previous != null) {
                throw new IllegalStateException("configuration keys " + previous + " and " + path
                        + " would share the environment variable " + variableFor(path));
            }
        }
        return byName;
    }

    /** TICKWIRE_ variables read by something other than the configuration (logback.xml). */
    static final java.util.Set<String> NOT_KEYS = java.util.Set.of("TICKWIRE_LOG_LEVEL", "TICKWIRE_LOG_FORMAT");

    static void apply(ConfigTree tree, Map<String, String> env) {
        Map<String, String> known = variables(tree);
        Map<String, String> ours = new TreeMap<>();
        env.forEach((name, value) -> {
            if (name.startsWith(PREFIX) && !NOT_KEYS.contains(name)) {
                ours.put(name, value);
            }
        });
        List<String> unknown = ours.keySet().stream().filter(name -> !known.containsKey(name)).toList();
        if (!unknown.isEmpty()) {
            String variables = unknown.size() == 1 ? "variable " : "variables ";
            throw new ConfigException("unknown environment " + variables + String.join(", ", unknown)
                    + ": no configuration key has that name (a key's variable is " + PREFIX
                    + " followed by its path in upper case, with '.' and '-' as '_', e.g. server.port is "
                    + variableFor("server.port") + ")");
        }
        ours.forEach((name, value) -> {
            String path = known.get(name);
            String origin = "environment variable " + name;
            JsonNode node = tree.get(path).isArray() ? list(path, value, origin) : TextNode.valueOf(value);
            tree.set(path, node, origin);
        });
    }

    private static ArrayNode list(String path, String value, String origin) {
        ArrayNode items = JsonNodeFactory.instance.arrayNode();
        if (value.isBlank()) {
            return items;
        }
        for (String item : value.split(",", -1)) {
            String trimmed = item.strip();
            if (trimmed.isEmpty()) {
                throw new ConfigException(path + ": expected a comma-separated list without empty items, got '"
                        + value + "' (from " + origin + ")");
            }
            items.add(trimmed);
        }
        return items;
    }
}
