package io.tickwire.nats;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;

/**
 * Checks a message's payload before it becomes an event's {@code data}. Services may publish straight to NATS,
 * past the HTTP edge's checks, and {@code data} is spliced into every client's frame as it is: so each node
 * checks each message (one JSON value, not null, nested at most 64 deep, at most {@code maxEventBytes}) and skips
 * what fails. The live stream and history reads apply the same check, so every node skips the same messages.
 */
final class EventData {

    static final int MAX_DEPTH = 64;

    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
            .build();

    private EventData() {}

    static boolean acceptable(byte[] data, int maxEventBytes) {
        if (data == null || data.length == 0 || data.length > maxEventBytes) {
            return false;
        }
        try (JsonParser p = JSON.createParser(data)) {
            JsonToken first = p.nextToken();
            if (first == null || first == JsonToken.VALUE_NULL) {
                return false;
            }
            p.skipChildren();
            return p.nextToken() == null;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
