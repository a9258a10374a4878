package io.tickwire.gateway.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * The body of an operator control ({@code /api/v1/disconnect}, {@code /api/v1/revoke}): one flat JSON object
 * whose fields are text or integers. Unlike the wire protocol, an unknown field is an error: a misspelt
 * {@code "sesion"} must not turn into a different operation.
 */
final class AdminRequest {

    /** Largest body accepted; an operator control's body is a few fields. */
    static final int MAX_BODY_BYTES = 4096;

    /** The type of a field. */
    enum Type { TEXT, INTEGER }

    /** A body that cannot be acted on; the message says why. */
    static final class Invalid extends Exception {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    private static final JsonFactory JSON = new JsonFactory();

    private final Map<String, Object> values;

    private AdminRequest(Map<String, Object> values) {
        this.values = values;
    }

    /** Parses {@code body}, which may hold only the fields of {@code fields}. */
    static AdminRequest parse(byte[] body, Map<String, Type> fields) throws Invalid {
        if (body.length > MAX_BODY_BYTES) {
            throw new Invalid("body larger than " + MAX_BODY_BYTES + " bytes");
        }
        Map<String, Object> values = new HashMap<>();
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new Invalid("body must be a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                Type type = fields.get(name);
                if (type == null) {
                    throw new Invalid("unknown field '" + shortened(name) + "'; expected one of "
                            + String.join(", ", new TreeSet<>(fields.keySet())));
                }
                JsonToken t = p.nextToken();
                Object value;
                if (type == Type.TEXT && t == JsonToken.VALUE_STRING) {
                    value = p.getText();
                } else if (type == Type.INTEGER && t == JsonToken.VALUE_NUMBER_INT
                        && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
                    value = p.getLongValue();
                } else {
                    throw new Invalid(name + " must be " + (type == Type.TEXT ? "a string" : "an integer"));
                }
                if (values.put(name, value) != null) {
                    throw new Invalid(name + " appears twice");
                }
            }
            if (p.nextToken() != null) {
                throw new Invalid("unexpected content after the JSON object");
            }
        } catch (JsonProcessingException e) {
            throw new Invalid("malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new Invalid("unreadable body");
        }
        return new AdminRequest(values);
    }

    /** The text field, or null if absent. */
    String text(String name) {
        return (String) values.get(name);
    }

    /** The integer field, or null if absent. */
    Long integer(String name) {
        return (Long) values.get(name);
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    /** A client's field name as echoed in an error: cut short. */
    private static String shortened(String name) {
        return name.length() <= 40 ? name : name.substring(0, 40) + "...";
    }
}
