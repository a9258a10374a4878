package io.tickwire.gateway.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Parses a publish body (contract §7): one event or {@code {"events":[…]}}. Each event's {@code data} is
 * cut out of the body as the publisher's exact bytes, checked to be well-formed JSON on the way, and never
 * parsed again.
 */
final class PublishRequest {

    /** Deepest JSON nesting accepted in a publish body. */
    static final int MAX_DEPTH = 64;

    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
            .build();

    record Event(String room, byte[] data, String msgId) {}

    /** A body that cannot be published; {@code index} names the offending event, if one. */
    static final class Invalid extends Exception {
        final Integer index;

        Invalid(String message, Integer index) {
            super(message, null, false, false);
            this.index = index;
        }
    }

    private PublishRequest() {}

    static List<Event> parse(byte[] body) throws Invalid {
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new Invalid("body must be a JSON object", null);
            }
            List<Event> events = new ArrayList<>();
            Event single = readEvent(p, body, null, events);
            if (p.nextToken() != null) {
                throw new Invalid("unexpected content after the JSON object", null);
            }
            if (single != null) {
                return List.of(single);
            }
            if (events.isEmpty()) {
                throw new Invalid("events must be a non-empty list", null);
            }
            return events;
        } catch (StreamConstraintsException e) {
            throw new Invalid("JSON nested too deeply", null);
        } catch (JsonProcessingException e) {
            throw new Invalid("malformed JSON: " + e.getOriginalMessage(), null);
        } catch (IOException e) {
            throw new Invalid("unreadable body", null);
        }
    }

    /**
     * Reads the object the parser is at. At the top level ({@code index == null}) an {@code events} field
     * makes it a batch, whose events go to {@code batch}; the method then returns null.
     */
    private static Event readEvent(JsonParser p, byte[] body, Integer index, List<Event> batch)
            throws IOException, Invalid {
        String room = null;
        byte[] data = null;
        String msgId = null;
        boolean isBatch = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            switch (name) {
                case "room" -> {
                    if (t != JsonToken.VALUE_STRING) {
                        throw new Invalid("room must be a string", index);
                    }
                    room = p.getText();
                }
                case "msg_id" -> {
                    if (t != JsonToken.VALUE_STRING || p.getTextLength() == 0 || p.getTextLength() > 128) {
                        throw new Invalid("msg_id must be a string of 1 to 128 characters", index);
                    }
                    msgId = p.getText();
                }
                case "data" -> data = rawValue(p, body, t, index);
                case "events" -> {
                    if (index != null) {
                        p.skipChildren();
                        continue;
                    }
                    if (t != JsonToken.START_ARRAY) {
                        throw new Invalid("events must be a list", null);
                    }
                    isBatch = true;
                    int i = 0;
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        if (p.currentToken() != JsonToken.START_OBJECT) {
                            throw new Invalid("each event must be an object", i);
                        }
                        batch.add(readEvent(p, body, i, null));
                        i++;
                    }
                }
                default -> p.skipChildren();
            }
        }
        if (isBatch) {
            return null;
        }
        if (room == null) {
            throw new Invalid("event needs room", index);
        }
        if (data == null) {
            throw new Invalid("event needs data", index);
        }
        return new Event(room, data, msgId);
    }

    private static byte[] rawValue(JsonParser p, byte[] body, JsonToken t, Integer index) throws IOException, Invalid {
        if (t == JsonToken.VALUE_NULL) {
            throw new Invalid("data must not be null", index);
        }
        int start = (int) p.currentTokenLocation().getByteOffset();
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
            p.skipChildren();
        } else {
            p.finishToken();
        }
        int end = (int) p.currentLocation().getByteOffset();
        return Arrays.copyOfRange(body, start, end);
    }
}
