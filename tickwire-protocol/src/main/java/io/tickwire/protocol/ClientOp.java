package io.tickwire.protocol;

import java.util.List;
import java.util.Map;

/**
 * A client operation (contract §2). {@code rawId} is the operation's {@code id} as raw JSON text (a number
 * or a quoted string), echoed verbatim in replies, or null when the client sent none.
 */
public sealed interface ClientOp {

    String rawId();

    /** {@code subscribe}: {@code rooms} in the client's order, duplicates removed. */
    record Subscribe(String rawId, List<String> rooms, Map<String, ResumePoint> resume) implements ClientOp {}

    /** {@code unsubscribe}: {@code rooms} in the client's order, duplicates removed. */
    record Unsubscribe(String rawId, List<String> rooms) implements ClientOp {}

    /** {@code ping}. */
    record Ping(String rawId) implements ClientOp {}

    /** {@code refresh}: a new token for the same subject. */
    record Refresh(String rawId, String token) implements ClientOp {}

    /** Where a client left a room: the last {@code seq} it processed, under {@code epoch}. */
    record ResumePoint(long seq, String epoch) {}
}
