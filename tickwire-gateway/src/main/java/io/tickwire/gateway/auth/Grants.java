package io.tickwire.gateway.auth;

import io.tickwire.protocol.RoomName;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The rooms a token grants: exact rooms ({@code account:42}) and whole kinds ({@code price:*}).
 */
public final class Grants {

    public static final Grants NONE = new Grants(Set.of(), Set.of());

    private final Set<String> rooms;
    private final Set<String> kinds;

    private Grants(Set<String> rooms, Set<String> kinds) {
        this.rooms = rooms;
        this.kinds = kinds;
    }

    /**
     * Parses grant strings.
     *
     * @throws IllegalArgumentException naming the first malformed grant
     */
    public static Grants parse(List<String> grants) {
        Set<String> rooms = new HashSet<>();
        Set<String> kinds = new HashSet<>();
        for (String g : grants) {
            if (g != null && g.endsWith(":*") && RoomName.isValidKind(g.substring(0, g.length() - 2))) {
                kinds.add(g.substring(0, g.length() - 2));
            } else if (RoomName.isValid(g)) {
                rooms.add(g);
            } else {
                throw new IllegalArgumentException("malformed room grant: " + g);
            }
        }
        return new Grants(Set.copyOf(rooms), Set.copyOf(kinds));
    }

    public boolean allows(String room) {
        return rooms.contains(room) || (!kinds.isEmpty() && kinds.contains(RoomName.kindOf(room)));
    }

    @Override
    public String toString() {
        return "Grants" + rooms + kinds.stream().map(k -> k + ":*").toList();
    }
}
