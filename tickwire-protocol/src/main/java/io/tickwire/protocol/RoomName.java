package io.tickwire.protocol;

/**
 * Room names: {@code kind:key}, where {@code kind} matches {@code [a-z][a-z0-9]{0,31}} and {@code key}
 * matches {@code [A-Za-z0-9._-]{1,64}} (contract §4). Checked by hand: this runs for every room of every
 * subscribe and publish.
 */
public final class RoomName {

    public static final int MAX_KIND_LENGTH = 32;
    public static final int MAX_KEY_LENGTH = 64;

    private RoomName() {}

    /** True if {@code room} is a well-formed room name. */
    public static boolean isValid(String room) {
        if (room == null) {
            return false;
        }
        int colon = room.indexOf(':');
        return colon > 0 && isValidKind(room, 0, colon) && isValidKey(room, colon + 1, room.length());
    }

    /** True if {@code kind} is a well-formed kind name. */
    public static boolean isValidKind(String kind) {
        return kind != null && isValidKind(kind, 0, kind.length());
    }

    /** The kind of a valid room name. */
    public static String kindOf(String room) {
        return room.substring(0, room.indexOf(':'));
    }

    /** The key of a valid room name. */
    public static String keyOf(String room) {
        return room.substring(room.indexOf(':') + 1);
    }

    private static boolean isValidKind(String s, int from, int to) {
        int len = to - from;
        if (len < 1 || len > MAX_KIND_LENGTH) {
            return false;
        }
        char first = s.charAt(from);
        if (first < 'a' || first > 'z') {
            return false;
        }
        for (int i = from + 1; i < to; i++) {
            char c = s.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isValidKey(String s, int from, int to) {
        int len = to - from;
        if (len < 1 || len > MAX_KEY_LENGTH) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
