package io.tickwire.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.tickwire.protocol.RoomName;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Lays a YAML document (the demo overlay, the user's file) over a {@link ConfigTree}. Every key must
 * already exist, with one exception: new room kinds under {@code rooms.kinds}, which start as a copy of
 * the kind template. Mappings merge key by key; values and lists replace what was there; the shape of a
 * key (mapping, list or single value) cannot change. A key written with no value keeps a mapping as it
 * was, empties a list or a string, and is left for the binder to reject elsewhere.
 */
final class ConfigMerger {

    static final String KINDS_PATH = "rooms.kinds";
    static final String TEMPLATE_ORIGIN = "the template for new kinds";

    private final ConfigTree tree;
    private final ObjectNode kindTemplate;

    ConfigMerger(ConfigTree tree, ObjectNode kindTemplate) {
        this.tree = tree;
        this.kindTemplate = kindTemplate;
    }

    /** Merges {@code document} into the tree; {@code source} names it in errors ("file /etc/x.yaml"). */
    void merge(JsonNode document, String source) {
        if (document == null || document.isMissingNode() || document.isNull()) {
            return; // an empty file, or one whose every line is commented out
        }
        if (!document.isObject()) {
            throw new ConfigException("the configuration in " + source
                    + " must be a mapping of keys (like 'server:' and 'auth:'), not " + ConfigTree.show("", document));
        }
        mergeMapping(tree.root(), "", document, source);
    }

    private void mergeMapping(ObjectNode base, String path, JsonNode overlay, String source) {
        for (Map.Entry<String, JsonNode> field : overlay.properties()) {
            String key = field.getKey();
            String keyPath = ConfigTree.join(path, key);
            JsonNode existing = base.get(key);
            if (existing != null) {
                mergeValue(keyPath, existing, field.getValue(), source);
            } else if (path.equals(KINDS_PATH)) {
                addKind(keyPath, key, field.getValue(), source);
            } else {
                String hint = key.contains(".") ? " (nest keys instead of writing them dotted)" : "";
                throw new ConfigException(keyPath + ": unknown key (from " + source + "); valid keys "
                        + (path.isEmpty() ? "at the top level" : "under " + path) + ": " + keysOf(base) + hint);
            }
        }
    }

    private void mergeValue(String path, JsonNode existing, JsonNode value, String source) {
        if (existing.isObject()) {
            if (value.isNull()) {
                return;
            }
            if (!value.isObject()) {
                throw shape(path, value, "a mapping with keys " + keysOf(existing), source);
            }
            mergeMapping((ObjectNode) existing, path, value, source);
        } else if (existing.isArray()) {
            if (value.isNull()) {
                value = JsonNodeFactory.instance.arrayNode();
            } else if (!value.isArray()) {
                throw shape(path, value, "a list (like [a, b], or [] for none)", source);
            }
            tree.set(path, value, source);
        } else {
            if (value.isContainerNode()) {
                throw shape(path, value, "a single value", source);
            }
            if (value.isNull() && existing.isTextual()) {
                value = TextNode.valueOf("");
            }
            tree.set(path, value, source);
        }
    }

    private void addKind(String path, String name, JsonNode value, String source) {
        if (!RoomName.isValidKind(name)) {
            throw new ConfigException(path + ": invalid room kind name '" + name + "' (from " + source
                    + "); kind names are a lowercase letter followed by up to 31 lowercase letters or digits"
                    + " ([a-z][a-z0-9]{0,31})");
        }
        if (!value.isNull() && !value.isObject()) {
            throw shape(path, value, "a mapping with keys " + keysOf(kindTemplate), source);
        }
        ObjectNode kind = kindTemplate.deepCopy();
        tree.set(path, kind, TEMPLATE_ORIGIN);
        if (value.isObject()) {
            mergeMapping(kind, path, value, source);
        }
    }

    private static ConfigException shape(String path, JsonNode value, String expected, String source) {
        return new ConfigException(path + ": expected " + expected + ", got " + ConfigTree.show(path, value)
                + " (from " + source + ")");
    }

    private static String keysOf(JsonNode mapping) {
        List<String> keys = new ArrayList<>();
        mapping.properties().forEach(field -> keys.add(field.getKey()));
        return String.join(", ", keys);
    }
}
