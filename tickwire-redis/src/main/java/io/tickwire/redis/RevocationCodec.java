package io.tickwire.redis;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.tickwire.protocol.JsonWriter;
import java.io.IOException;

/**
 * The JSON of a revocation. The sorted set's member is canonical ({@code {"t":"jti"|"user","k":…,"ib":ms,"fa":ms}},
 * fields in that order), so the same revocation made or healed by several nodes is one member; the pub/sub message
 * is the same fields after the origin node ({@code {"o":node,…}}), so a node skips its own messages.
 */
final class RevocationCodec {

    private static final JsonFactory JSON = new JsonFactory();

    /** A message read from the channel. */
    record Message(String origin, Revocation revocation) {}

    private RevocationCodec() {}

    static String member(Revocation r) {
        return fields(new JsonWriter(96).beginObject(), r).endObject().toString();
    }

    static String message(String origin, Revocation r) {
        return fields(new JsonWriter(128).beginObject().field("o", origin), r).endObject().toString();
    }

    private static JsonWriter fields(JsonWriter w, Revocation r) {
        return w.field("t", r.kind().wire).field("k", r.key()).field("ib", r.issuedBefore()).field("fa", r.forgetAt());
    }

    /** Parses a member or a message (origin null for a member). */
    static Message parse(String json) throws InvalidException {
        String origin = null;
        String type = null;
        String key = null;
        long issuedBefore = -1;
        long forgetAt = -1;
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new InvalidException("not an object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "o" -> origin = text(p, value, name);
                    case "t" -> type = text(p, value, name);
                    case "k" -> key = text(p, value, name);
                    case "ib" -> issuedBefore = number(p, value, name);
                    case "fa" -> forgetAt = number(p, value, name);
                    default -> p.skipChildren(); // a later version's field
                }
            }
        } catch (IOException e) {
            throw new InvalidException("malformed JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
        Revocation.Kind kind = Revocation.Kind.ofWire(type);
        if (kind == null || key == null || issuedBefore < 0 || forgetAt < 0) {
            throw new InvalidException("missing or unknown t, k, ib or fa");
        }
        try {
            return new Message(origin, new Revocation(kind, key, issuedBefore, forgetAt));
        } catch (IllegalArgumentException e) {
            throw new InvalidException(e.getMessage());
        }
    }

    private static String text(JsonParser p, JsonToken t, String name) throws IOException, InvalidException {
        if (t != JsonToken.VALUE_STRING) {
            throw new InvalidException(name + " must be a string");
        }
        return p.getText();
    }

    private static long number(JsonParser p, JsonToken t, String name) throws IOException, InvalidException {
        if (t != JsonToken.VALUE_NUMBER_INT) {
            throw new InvalidException(name + " must be an integer");
        }
        return p.getLongValue();
    }

    /** A member or message this version cannot read (skipped and logged, never applied). */
    static final class InvalidException extends Exception {
        InvalidException(String message) {
            super(message, null, false, false);
        }
    }
}
