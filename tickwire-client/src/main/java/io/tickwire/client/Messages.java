package io.tickwire.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.Map;

/** The client's JSON codec: encodes operations (protocol §2) and parses server messages (§3) into trees. */
final class Messages {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Messages() {}

    /** {@code subscribe} for {@code rooms}, with a {@code resume} entry for each room that has a position. */
    static String subscribe(long id, Collection<String> rooms, Map<String, RoomState.Position> resume) {
        ObjectNode op = op("subscribe", id);
        ArrayNode list = op.putArray("rooms");
        rooms.forEach(list::add);
        if (!resume.isEmpty()) {
            ObjectNode r = op.putObject("resume");
            resume.forEach((room, p) -> r.putObject(room).put("seq", p.seq()).put("epoch", p.epoch()));
        }
        return op.toString();
    }

    static String unsubscribe(long id, String room) {
        ObjectNode op = op("unsubscribe", id);
        op.putArray("rooms").add(room);
        return op.toString();
    }

    static String refresh(long id, String token) {
        return op("refresh", id).put("token", token).toString();
    }

    static JsonNode parse(InputStream in) throws IOException {
        return JSON.readTree(in);
    }

    /** The reply id of a message, or -1 (the client only sends numeric ids). */
    static long id(JsonNode msg) {
        JsonNode id = msg.get("id");
        return id != null && id.canConvertToLong() ? id.asLong() : -1;
    }

    private static ObjectNode op(String name, long id) {
        ObjectNode op = JSON.createObjectNode();
        op.put("op", name);
        op.put("id", id);
        return op;
    }
}
