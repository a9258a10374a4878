package io.tickwire.server;

import java.nio.charset.StandardCharsets;

/** Room name to NATS subject, as docs/nats-bus.md defines it, written again here so that the tests check the bus. */
final class Subjects {

    private Subjects() {}

    /**
     * {@code <prefix>.<kind>.<escaped key>}: every byte of the key's UTF-8 outside {@code [A-Za-z0-9_-]} becomes
     * {@code %XX} (upper-case hex).
     */
    static String of(String prefix, String room) {
        int colon = room.indexOf(':');
        StringBuilder sb = new StringBuilder(prefix).append('.').append(room, 0, colon).append('.');
        for (byte b : room.substring(colon + 1).getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
                sb.append((char) c);
            } else {
                sb.append('%').append(String.format("%02X", c));
            }
        }
        return sb.toString();
    }
}
