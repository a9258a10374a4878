package io.tickwire.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Parses one client frame into a {@link ClientOp}. Unknown fields are ignored (contract); anything else
 * that is not a well-formed operation is a {@link ProtocolException} with code {@code bad_request}, naming
 * what was wrong. Thread-safe.
 */
public final class ClientOpParser {

    private final JsonFactory json;

    /** @param maxDepth the deepest JSON nesting accepted; deeper frames are rejected before being read */
    public ClientOpParser(int maxDepth) {
        this.json = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(maxDepth).build())
                .build();
    }

    public ClientOp parse(byte[] frame, int offset, int length) throws ProtocolException {
        Fields f = new Fields();
        try (JsonParser p = json.createParser(frame, offset, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw bad("frame must be a JSON object", null);
            }
            readFields(p, f);
            if (p.nextToken() != null) {
                throw bad("unexpected content after the JSON object", f.rawId);
            }
        } catch (StreamConstraintsException e) {
            throw bad("JSON nested too deeply", f.rawId);
        } catch (JsonProcessingException e) {
            throw bad("malformed JSON: " + e.getOriginalMessage(), f.rawId);
        } catch (IOException e) {
            throw bad("unreadable frame", f.rawId);
        }
        return build(f);
    }

    private static final class Fields {
        String op;
        String rawId;
        List<String> rooms;
        Map<String, ClientOp.ResumePoint> resume;
        String token;
        String problem;
    }

    private static void readFields(JsonParser p, Fields f) throws IOException, ProtocolException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            switch (name) {
                case "op" -> f.op = t == JsonToken.VALUE_STRING ? p.getText() : problem(f, "op must be a string");
                case "id" -> f.rawId = readId(p, t, f);
                case "rooms" -> f.rooms = readRooms(p, t, f);
                case "resume" -> f.resume = readResume(p, t, f);
                case "token" -> f.token = t == JsonToken.VALUE_STRING ? p.getText() : problem(f, "token must be a string");
                default -> p.skipChildren();
            }
        }
    }

    private static String readId(JsonParser p, JsonToken t, Fields f) throws IOException {
        if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
            return p.getText(); // echoed exactly as sent
        }
        if (t == JsonToken.VALUE_STRING) {
            String s = p.getText();
            if (s.length() > 128) {
                return problem(f, "id longer than 128 characters");
            }
            return JsonWriter.quote(s);
        }
        p.skipChildren();
        return problem(f, "id must be a number or a string");
    }

    private static List<String> readRooms(JsonParser p, JsonToken t, Fields f) throws IOException {
        if (t != JsonToken.START_ARRAY) {
            p.skipChildren();
            return problem(f, "rooms must be a list of room names");
        }
        LinkedHashSet<String> rooms = new LinkedHashSet<>();
        JsonToken e;
        while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
            if (e != JsonToken.VALUE_STRING) {
                p.skipChildren();
                problem(f, "rooms must be a list of room names");
                continue;
            }
            rooms.add(p.getText());
        }
        return new ArrayList<>(rooms);
    }

    private static Map<String, ClientOp.ResumePoint> readResume(JsonParser p, JsonToken t, Fields f)
            throws IOException {
        if (t != JsonToken.START_OBJECT) {
            p.skipChildren();
            return problem(f, "resume must be an object of room -> {seq, epoch}");
        }
        Map<String, ClientOp.ResumePoint> resume = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String room = p.currentName();
            if (p.nextToken() != JsonToken.START_OBJECT) {
                p.skipChildren();
                problem(f, "resume." + room + " must be an object {seq, epoch}");
                continue;
            }
            long seq = -1;
            String epoch = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if (name.equals("seq") && v == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
                    seq = p.getLongValue();
                } else if (name.equals("epoch") && v == JsonToken.VALUE_STRING) {
                    epoch = p.getText();
                } else {
                    p.skipChildren();
                }
            }
            if (seq < 0 || epoch == null) {
                problem(f, "resume." + room + " needs seq (a non-negative integer) and epoch (a string)");
                continue;
            }
            resume.put(room, new ClientOp.ResumePoint(seq, epoch));
        }
        return resume;
    }

    private static <T> T problem(Fields f, String message) {
        if (f.problem == null) {
            f.problem = message;
        }
        return null;
    }

    private static ClientOp build(Fields f) throws ProtocolException {
        if (f.op == null) {
            throw bad(f.problem != null ? f.problem : "missing op", f.rawId);
        }
        if (f.problem != null) {
            throw bad(f.problem, f.rawId);
        }
        return switch (f.op) {
            case "subscribe" -> new ClientOp.Subscribe(f.rawId, requireRooms(f), f.resume == null ? Map.of() : f.resume);
            case "unsubscribe" -> new ClientOp.Unsubscribe(f.rawId, requireRooms(f));
            case "ping" -> new ClientOp.Ping(f.rawId);
            case "refresh" -> {
                if (f.token == null) {
                    throw bad("refresh needs token", f.rawId);
                }
                yield new ClientOp.Refresh(f.rawId, f.token);
            }
            default -> throw bad("unknown op '" + truncate(f.op) + "'", f.rawId);
        };
    }

    private static List<String> requireRooms(Fields f) throws ProtocolException {
        if (f.rooms == null || f.rooms.isEmpty()) {
            throw bad(f.op + " needs rooms: a non-empty list of room names", f.rawId);
        }
        return f.rooms;
    }

    private static String truncate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }

    private static ProtocolException bad(String message, String rawId) {
        return new ProtocolException(ErrorCode.BAD_REQUEST, message, rawId);
    }
}
