package io.tickwire.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Typed, checked reads of the leaves of a {@link ConfigTree}. Every failure is a {@link ConfigException}
 * that names the key path, the value found (never a secret's), what was expected and where the value
 * came from. Numbers, booleans and enum words may also be given as text, which is how environment
 * variables arrive.
 */
final class ConfigValues {

    private final ConfigTree tree;

    ConfigValues(ConfigTree tree) {
        this.tree = tree;
    }

    String text(String path) {
        JsonNode node = node(path);
        if (!node.isTextual()) {
            throw bad(path, "text (quote it if it looks like a number)");
        }
        return node.asText();
    }

    String nonEmptyText(String path) {
        String value = text(path);
        if (value.isEmpty()) {
            throw bad(path, "a non-empty value");
        }
        return value;
    }

    /** Text matching {@code format} entirely. */
    String text(String path, Pattern format, String expected) {
        String value = text(path);
        if (!format.matcher(value).matches()) {
            throw bad(path, expected);
        }
        return value;
    }

    long integer(String path, long min, long max) {
        JsonNode node = node(path);
        long value;
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            value = node.longValue();
        } else if (node.isTextual()) {
            try {
                value = Long.parseLong(node.asText().strip());
            } catch (NumberFormatException e) {
                throw bad(path, range(min, max));
            }
        } else {
            throw bad(path, range(min, max));
        }
        if (value < min || value > max) {
            throw bad(path, range(min, max));
        }
        return value;
    }

    int integer(String path, int min, int max) {
        return (int) integer(path, (long) min, (long) max);
    }

    /** A number greater than 0 and at most {@code max}. */
    double positiveNumber(String path, double max) {
        JsonNode node = node(path);
        double value = Double.NaN;
        if (node.isNumber()) {
            value = node.doubleValue();
        } else if (node.isTextual()) {
            try {
                value = Double.parseDouble(node.asText().strip());
            } catch (NumberFormatException e) {
                // NaN fails the range check below
            }
        }
        if (!(value > 0 && value <= max)) {
            throw bad(path, "a number greater than 0 and at most " + plain(max));
        }
        return value;
    }

    boolean bool(String path) {
        JsonNode node = node(path);
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        String text = node.isTextual() ? node.asText().strip() : "";
        if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(text);
        }
        throw bad(path, "true or false");
    }

    /** An enum constant, written in lower case. */
    <E extends Enum<E>> E oneOf(String path, Class<E> type) {
        JsonNode node = node(path);
        List<String> words = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            String word = constant.name().toLowerCase(Locale.ROOT);
            if (node.isTextual() && node.asText().strip().equals(word)) {
                return constant;
            }
            words.add(word);
        }
        throw bad(path, "one of " + String.join(", ", words));
    }

    /** An unmodifiable list of text items, each matching {@code itemFormat}. */
    List<String> list(String path, Pattern itemFormat, String itemExpected) {
        return list(path, item -> itemFormat.matcher(item).matches() ? null : "", itemExpected);
    }

    /**
     * An unmodifiable list of text items, each accepted by {@code check}, which returns null for a good item
     * and else what is wrong with it ("" if {@code itemExpected} says it all).
     */
    List<String> list(String path, Function<String, String> check, String itemExpected) {
        JsonNode node = node(path);
        if (!node.isArray()) {
            throw bad(path, "a list");
        }
        List<String> items = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode item = node.get(i);
            String problem = item.isTextual() ? check.apply(item.asText()) : "";
            if (problem != null) {
                throw bad(path + "[" + i + "]", item, problem.isEmpty() ? itemExpected : itemExpected + " (" + problem + ")");
            }
            items.add(item.asText());
        }
        return List.copyOf(items);
    }

    /** The mapping at {@code path}. */
    JsonNode mapping(String path) {
        JsonNode node = node(path);
        if (!node.isObject()) {
            throw new IllegalStateException(path + " is not a mapping");
        }
        return node;
    }

    /** The error for the value at {@code path}, which is not {@code expected}. */
    ConfigException bad(String path, String expected) {
        return fail(path, "expected " + expected);
    }

    /** The error for the value at {@code path}: "path: problem, got value (from origin)". */
    ConfigException fail(String path, String problem) {
        return fail(path, node(path), problem);
    }

    private ConfigException bad(String path, JsonNode value, String expected) {
        return fail(path, value, "expected " + expected);
    }

    private ConfigException fail(String path, JsonNode value, String problem) {
        return new ConfigException(path + ": " + problem + ", got " + ConfigTree.show(path, value)
                + " (from " + tree.originOf(path) + ")");
    }

    private JsonNode node(String path) {
        JsonNode node = tree.get(path);
        if (node == null) {
            throw new IllegalStateException("the embedded defaults have no key " + path);
        }
        return node;
    }

    private static String range(long min, long max) {
        return max == Long.MAX_VALUE || max == Integer.MAX_VALUE
                ? "an integer of at least " + min
                : "an integer from " + min + " to " + max;
    }

    private static String plain(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}
