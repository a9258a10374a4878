package io.tickwire.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The configuration while it is assembled: one YAML tree addressed by key paths ({@code server.port},
 * {@code rooms.kinds.price.delivery}), and for every leaf where its value came from, so that an error can
 * say "from file /etc/tickwire.yaml" or "from environment variable TICKWIRE_SERVER_PORT".
 *
 * <p>A leaf is any node that is not a mapping: a scalar, a list (lists are replaced whole, never merged)
 * or null. Key names never contain dots, so a path splits unambiguously.
 */
final class ConfigTree {

    private final ObjectNode root;
    private final Map<String, String> origins = new HashMap<>();

    ConfigTree(ObjectNode root, String origin) {
        this.root = root;
        leaves(root).keySet().forEach(path -> origins.put(path, origin));
    }

    ObjectNode root() {
        return root;
    }

    /** The node at {@code path}, or null if there is none. */
    JsonNode get(String path) {
        JsonNode node = root;
        for (String key : path.split("\\.")) {
            node = node.get(key);
            if (node == null) {
                return null;
            }
        }
        return node;
    }

    /** Puts {@code value} at {@code path}, whose parent mapping must exist, and records its origin. */
    void set(String path, JsonNode value, String origin) {
        int dot = path.lastIndexOf('.');
        ObjectNode parent = dot < 0 ? root : (ObjectNode) get(path.substring(0, dot));
        parent.set(path.substring(dot + 1), value);
        leaves(value, path, new LinkedHashMap<>()).keySet().forEach(leaf -> origins.put(leaf, origin));
    }

    /** Where the value at {@code path} (or the list holding item {@code path[i]}) came from. */
    String originOf(String path) {
        int bracket = path.indexOf('[');
        String leaf = bracket < 0 ? path : path.substring(0, bracket);
        return origins.getOrDefault(leaf, "unknown origin");
    }

    /** Every leaf of the tree by key path, in document order. */
    Map<String, JsonNode> leaves() {
        return leaves(root);
    }

    static Map<String, JsonNode> leaves(JsonNode node) {
        return leaves(node, "", new LinkedHashMap<>());
    }

    private static Map<String, JsonNode> leaves(JsonNode node, String path, Map<String, JsonNode> out) {
        if (!node.isObject()) {
            out.put(path, node);
            return out;
        }
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            leaves(field.getValue(), join(path, field.getKey()), out);
        }
        return out;
    }

    static String join(String parentPath, String key) {
        return parentPath.isEmpty() ? key : parentPath + "." + key;
    }

    /** Keys whose values must never be printed: their last name contains secret, password or token. */
    static boolean isSecretKey(String path) {
        String name = path.substring(path.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        return name.contains("secret") || name.contains("password") || name.contains("token");
    }

    /** How a value is quoted in an error message; a secret's value is never shown. */
    static String show(String path, JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return "no value";
        }
        if (node.isObject()) {
            return "a mapping";
        }
        if (isSecretKey(path) && node.isValueNode()) {
            return "a secret of " + node.asText().getBytes(StandardCharsets.UTF_8).length + " bytes (not shown)";
        }
        if (isSecretKey(path) && node.isArray()) {
            return "a list of " + node.size() + " secrets (not shown)";
        }
        if (node.isArray()) {
            List<String> items = new ArrayList<>();
            node.forEach(item -> items.add(item.isContainerNode() ? "..." : item.asText()));
            return "[" + String.join(", ", items) + "]";
        }
        return node.isTextual() ? "'" + node.asText() + "'" : node.asText();
    }
}
