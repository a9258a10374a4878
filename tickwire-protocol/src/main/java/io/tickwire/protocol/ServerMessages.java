package io.tickwire.protocol;

/**
 * Encoders of the server's messages (contract §3), one method per message type, each filling the given
 * {@link JsonWriter} with one complete frame. {@code rawId} is the operation's id as raw JSON, or null.
 */
public final class ServerMessages {

    private ServerMessages() {}

    public static JsonWriter welcome(JsonWriter w, String session, String node, long heartbeatMs, long expiresAt) {
        return w.reset().beginObject().field("type", "welcome").field("session", session).field("node", node)
                .field("heartbeat_ms", heartbeatMs).field("expires_at", expiresAt).endObject();
    }

    public static JsonWriter subscribed(JsonWriter w, String rawId, String room, String mode, long seq, String epoch) {
        w.reset().beginObject().field("type", "subscribed");
        id(w, rawId);
        return w.field("room", room).field("mode", mode).field("seq", seq).field("epoch", epoch).endObject();
    }

    public static JsonWriter unsubscribed(JsonWriter w, String rawId, String room, String reason) {
        w.reset().beginObject().field("type", "unsubscribed");
        id(w, rawId);
        w.field("room", room);
        if (reason != null) {
            w.field("reason", reason);
        }
        return w.endObject();
    }

    public static JsonWriter error(JsonWriter w, String rawId, String room, ErrorCode code, String message) {
        w.reset().beginObject().field("type", "error");
        id(w, rawId);
        if (room != null) {
            w.field("room", room);
        }
        return w.field("code", code.wire()).field("message", message).endObject();
    }

    public static JsonWriter pong(JsonWriter w, String rawId) {
        w.reset().beginObject().field("type", "pong");
        id(w, rawId);
        return w.endObject();
    }

    public static JsonWriter tokenExpiring(JsonWriter w, long expiresAt) {
        return w.reset().beginObject().field("type", "token_expiring").field("expires_at", expiresAt).endObject();
    }

    /** The server will close the connection with 1012 in about {@code afterMs} (a graceful drain). */
    public static JsonWriter reconnect(JsonWriter w, long afterMs, String reason) {
        return w.reset().beginObject().field("type", "reconnect").field("after_ms", afterMs)
                .field("reason", reason).endObject();
    }

    public static JsonWriter refreshed(JsonWriter w, String rawId, long expiresAt) {
        w.reset().beginObject().field("type", "refreshed");
        id(w, rawId);
        return w.field("expires_at", expiresAt).endObject();
    }

    public static JsonWriter reset(JsonWriter w, String room, long seq, String epoch, String reason) {
        return w.reset().beginObject().field("type", "reset").field("room", room).field("seq", seq)
                .field("epoch", epoch).field("reason", reason).endObject();
    }

    public static JsonWriter event(JsonWriter w, String room, long seq, long ts, byte[] data) {
        return w.reset().beginObject().field("type", "event").field("room", room).field("seq", seq)
                .field("ts", ts).rawField("data", data, 0, data.length).endObject();
    }

    public static JsonWriter snapshot(JsonWriter w, String room, long seq, byte[] data, int offset, int length) {
        return w.reset().beginObject().field("type", "snapshot").field("room", room).field("seq", seq)
                .rawField("data", data, offset, length).endObject();
    }

    private static void id(JsonWriter w, String rawId) {
        if (rawId != null) {
            w.rawField("id", rawId);
        }
    }
}
