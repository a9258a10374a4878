package io.tickwire.gateway.session;

import io.netty.util.concurrent.EventExecutor;
import io.tickwire.gateway.auth.Principal;
import io.tickwire.protocol.CloseCode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The open sessions of this node, by session id and by user ({@code sub}), for the operator controls and the
 * drain. A session registers when it opens and leaves when its channel closes; the index may be read from any
 * thread, and whatever is done to a session runs on its channel's event loop. Holds one entry per connection.
 */
public final class SessionRegistry {

    private final Map<String, Session> byId = new ConcurrentHashMap<>();
    private final Map<String, Set<Session>> byUser = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private volatile CompletableFuture<Void> emptied;

    void add(Session session) {
        open.incrementAndGet();
        // Session ids are random: on the rare collision the first keeps the id (see closeSession).
        byId.putIfAbsent(session.id(), session);
        byUser.compute(session.principal().subject(), (user, set) -> {
            Set<Session> s = set != null ? set : ConcurrentHashMap.newKeySet();
            s.add(session);
            return s;
        });
    }

    void remove(Session session) {
        byId.remove(session.id(), session);
        byUser.computeIfPresent(session.principal().subject(), (user, set) -> {
            set.remove(session);
            return set.isEmpty() ? null : set;
        });
        CompletableFuture<Void> waiting = emptied;
        if (open.decrementAndGet() == 0 && waiting != null) {
            waiting.complete(null);
        }
    }

    /** Open sessions. */
    public int size() {
        return open.get();
    }

    /** Completes once no session is open (at once if none is). */
    public synchronized CompletableFuture<Void> whenEmpty() {
        if (emptied == null) {
            emptied = new CompletableFuture<>();
        }
        if (open.get() == 0) {
            emptied.complete(null);
        }
        return emptied;
    }

    /** Every open session, as of now (from the user index, which holds even a session whose id collided). */
    Collection<Session> all() {
        List<Session> all = new ArrayList<>(open.get());
        byUser.values().forEach(all::addAll);
        return all;
    }

    /**
     * Closes the session with this id, if it is open here and not already closing.
     *
     * @return completes with 1 if it was closed, else 0
     */
    public CompletableFuture<Integer> closeSession(String id, CloseCode code, String reason) {
        Session session = byId.get(id);
        return session == null ? CompletableFuture.completedFuture(0)
                : onLoops(List.of(session), s -> s.disconnect(code, reason) ? s : null).thenApply(List::size);
    }

    /**
     * Closes the sessions of {@code user} (of every user if null) whose current token matches.
     *
     * @return completes with the tokens of the sessions closed
     */
    public CompletableFuture<List<Principal>> closeWhere(String user, Predicate<Principal> match, CloseCode code,
                                                         String reason) {
        Collection<Session> candidates;
        if (user == null) {
            candidates = all();
        } else {
            Set<Session> of = byUser.get(user);
            candidates = of == null ? List.of() : new ArrayList<>(of);
        }
        return onLoops(candidates, s -> {
            Principal p = s.principal();
            return match.test(p) && s.disconnect(code, reason) ? p : null;
        });
    }

    /**
     * Runs {@code action} on each session's event loop, one task per loop; completes with the non-null results.
     * A loop that no longer takes tasks (the node is stopping) contributes nothing.
     */
    private static <T> CompletableFuture<List<T>> onLoops(Collection<Session> sessions,
                                                          Function<Session, T> action) {
        Map<EventExecutor, List<Session>> byLoop = new HashMap<>();
        for (Session s : sessions) {
            byLoop.computeIfAbsent(s.channel().eventLoop(), l -> new ArrayList<>()).add(s);
        }
        List<CompletableFuture<List<T>>> parts = new ArrayList<>(byLoop.size());
        byLoop.forEach((loop, group) -> {
            CompletableFuture<List<T>> part = new CompletableFuture<>();
            parts.add(part);
            try {
                loop.execute(() -> {
                    List<T> results = new ArrayList<>();
                    try {
                        for (Session s : group) {
                            T r = action.apply(s);
                            if (r != null) {
                                results.add(r);
                            }
                        }
                    } finally {
                        part.complete(results);
                    }
                });
            } catch (RejectedExecutionException e) {
                part.complete(List.of());
            }
        });
        return CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0])).thenApply(v -> {
            List<T> all = new ArrayList<>();
            parts.forEach(p -> all.addAll(p.join()));
            return all;
        });
    }
}
