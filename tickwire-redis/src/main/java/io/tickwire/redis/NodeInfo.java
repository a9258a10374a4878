package io.tickwire.redis;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.tickwire.protocol.JsonWriter;
import java.io.IOException;

/**
 * A live node as the registry lists it ({@code GET /api/v1/cluster}): its id, its last reported load and when it
 * started. Stored as {@code {"node","ready","draining","connections","subscriptions","rooms","started_at"}}.
 */
public record NodeInfo(String node, boolean ready, boolean draining, long connections, long subscriptions,
                       long rooms, long startedAt) {

    private static final JsonFactory JSON = new JsonFactory();

    static NodeInfo of(String node, NodeLoad load, long startedAt) {
        return new NodeInfo(node, load.ready(), load.draining(), load.connections(), load.subscriptions(),
                load.rooms(), startedAt);
    }

    /** This node as the JSON object stored in Redis and shown by {@code /api/v1/cluster}. */
    public String toJson() {
        return new JsonWriter(160).beginObject()
                .field("node", node).field("ready", ready).field("draining", draining)
                .field("connections", connections).field("subscriptions", subscriptions).field("rooms", rooms)
                .field("started_at", startedAt)
                .endObject().toString();
    }

    /** Reads a stored node; null if it is not one (a foreign or corrupt value is skipped, not fatal). */
    static NodeInfo parse(String json) {
        String node = null;
        boolean ready = false;
        boolean draining = false;
        long connections = 0;
        long subscriptions = 0;
        long rooms = 0;
        long startedAt = 0;
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                switch (name) {
                    case "node" -> node = t == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "ready" -> ready = t == JsonToken.VALUE_TRUE;
                    case "draining" -> draining = t == JsonToken.VALUE_TRUE;
                    case "connections" -> connections = t == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : 0;
                    case "subscriptions" -> subscriptions = t == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : 0;
                    case "rooms" -> rooms = t == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : 0;
                    case "started_at" -> startedAt = t == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : 0;
                    default -> p.skipChildren();
                }
            }
        } catch (IOException e) {
            return null;
        }
        return node == null ? null : new NodeInfo(node, ready, draining, connections, subscriptions, rooms, startedAt);
    }
}
