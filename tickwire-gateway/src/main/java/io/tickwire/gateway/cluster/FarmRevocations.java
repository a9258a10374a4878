package io.tickwire.gateway.cluster;

import io.tickwire.gateway.auth.Principal;
import io.tickwire.gateway.auth.RevocationList;
import io.tickwire.gateway.session.SessionRegistry;
import io.tickwire.protocol.CloseCode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Revocations across the farm. One made on this node ({@code POST /api/v1/revoke}) is applied here, closes the
 * connections holding a matching token (4001), then goes to the {@link Coordinator} for the other nodes; one made
 * elsewhere arrives through {@link #received} and is applied the same way, without being shared again. Handshakes
 * with a revoked token are refused on every node until the entry's forget-at time (the token's expiry).
 */
public final class FarmRevocations {

    private static final Logger log = LoggerFactory.getLogger(FarmRevocations.class);

    public static final String REVOKED_REASON = "token revoked";

    private final RevocationList list;
    private final SessionRegistry sessions;
    private volatile Coordinator coordinator = Coordinator.none();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();

    public FarmRevocations(RevocationList list, SessionRegistry sessions) {
        this.list = list;
        this.sessions = sessions;
    }

    /** Set once the coordinator exists (it needs this object's {@link #received} first). */
    public void shareThrough(Coordinator coordinator) {
        this.coordinator = coordinator;
    }

    /** What a revocation made here did. {@code farm}: {@code published}, {@code pending} or {@code off}. */
    public record Outcome(int disconnected, long until, String farm) {}

    /**
     * Revokes a token here and in the farm.
     *
     * @param expiresAt the token's {@code exp} in epoch ms if known, else 0 (then learnt from a connection holding
     *                  it, or the retention)
     */
    public CompletableFuture<Outcome> revokeToken(String jti, long expiresAt) throws RevocationList.FullException {
        long until = list.revokeToken(jti, expiresAt);
        return sessions.closeWhere(null, list::isRevoked, CloseCode.UNAUTHORIZED, REVOKED_REASON)
                .thenCompose(closed -> {
                    long kept = until;
                    if (expiresAt == 0) {
                        for (Principal p : closed) {
                            if (jti.equals(p.tokenId())) { // a connection held the token: now its expiry is known
                                kept = list.tokenExpiresAt(jti, p.expiresAtMillis());
                                break;
                            }
                        }
                    }
                    return share(FarmRevocation.token(jti, kept), closed.size(), kept);
                });
    }

    /** Revokes, here and in the farm, the tokens of {@code user} issued before {@code issuedBefore} (epoch ms). */
    public CompletableFuture<Outcome> revokeUser(String user, long issuedBefore) throws RevocationList.FullException {
        long until = list.revokeUser(user, issuedBefore);
        return sessions.closeWhere(user, list::isRevoked, CloseCode.UNAUTHORIZED, REVOKED_REASON)
                .thenCompose(closed -> share(FarmRevocation.ofUser(user, issuedBefore, until), closed.size(), until));
    }

    private CompletableFuture<Outcome> share(FarmRevocation r, int disconnected, long until) {
        Coordinator c = coordinator;
        if (c == Coordinator.none()) {
            return CompletableFuture.completedFuture(new Outcome(disconnected, until, "off"));
        }
        return c.share(r).toCompletableFuture()
                .thenApply(published -> new Outcome(disconnected, until, published ? "published" : "pending"));
    }

    /** A revocation made on another node: applied here and the matching connections closed (4001). */
    public void received(FarmRevocation r) {
        boolean applied;
        try {
            applied = r.user() ? list.revokeUserUntil(r.key(), r.issuedBefore(), r.forgetAt())
                    : list.revokeTokenUntil(r.key(), r.forgetAt());
        } catch (RevocationList.FullException e) {
            refused.incrementAndGet();
            log.warn("a revocation from the farm was not applied here: {}", e.getMessage());
            return;
        }
        if (!applied) {
            return; // it no longer matters
        }
        received.incrementAndGet();
        sessions.closeWhere(r.user() ? r.key() : null, list::isRevoked, CloseCode.UNAUTHORIZED, REVOKED_REASON)
                .thenAccept(closed -> {
                    if (!closed.isEmpty()) {
                        log.info("revocation from the farm ({} {}) closed {} connection(s)",
                                r.user() ? "user" : "token jti", r.key(), closed.size());
                    }
                });
    }

    /** Revocations from other nodes applied here. */
    public long receivedCount() {
        return received.get();
    }

    /** Revocations from other nodes not applied because the list was full. */
    public long refusedCount() {
        return refused.get();
    }
}
