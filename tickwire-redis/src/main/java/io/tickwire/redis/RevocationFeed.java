package io.tickwire.redis;

import io.lettuce.core.api.async.RedisAsyncCommands;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Revocations across the farm. A revocation made here is added to the sorted set {@code revocations} (member = its
 * canonical JSON, score = when it may be forgotten) and published on the channel with this node as origin; every
 * other node hands it to its listener. Messages are fire-and-forget, so at start and after every reconnect a node
 * loads the still-active set ({@link #resync}): a late node, or one that missed messages while cut off, catches up.
 *
 * <p>Every active revocation this node knows (made here or received) is remembered, up to the bound, so that a
 * Redis that came back empty is healed by whichever nodes survive, not only by the one that revoked (which may be
 * gone): the resync writes back what the set lacks and publishes it. A revocation made while Redis is down is thus
 * pending, not lost: it goes out at the resync that follows recovery.
 */
final class RevocationFeed {

    private static final Logger log = LoggerFactory.getLogger(RevocationFeed.class);

    private final RedisKeys keys;
    private final String nodeId;
    private final int maxRemembered;
    private final Consumer<Revocation> deliver;
    /** canonical member → revocation, for every active one this node has applied or made. */
    private final Map<String, Revocation> known = new ConcurrentHashMap<>();

    /** @param deliver hands a revocation from another node to the gateway (off Lettuce's threads) */
    RevocationFeed(RedisKeys keys, String nodeId, int maxRemembered, Consumer<Revocation> deliver) {
        this.keys = keys;
        this.nodeId = nodeId;
        this.maxRemembered = maxRemembered;
        this.deliver = deliver;
    }

    /** Stores and publishes a revocation made on this node. Completes exceptionally if Redis did not take it. */
    CompletableFuture<Void> publish(RedisAsyncCommands<String, String> redis, Revocation r) {
        String member = RevocationCodec.member(r);
        return redis.zadd(keys.revocations(), (double) r.forgetAt(), member).toCompletableFuture()
                .thenCompose(n -> redis.publish(keys.revocationChannel(), RevocationCodec.message(nodeId, r))
                        .toCompletableFuture())
                .thenApply(receivers -> null);
    }

    /** Remembers a revocation made here, to publish it again if Redis loses it. False if the bound is reached. */
    boolean rememberOwn(Revocation r) {
        return remember(RevocationCodec.member(r), r);
    }

    /** A message from the channel (on a Lettuce thread). */
    void onMessage(String json) {
        RevocationCodec.Message m;
        try {
            m = RevocationCodec.parse(json);
        } catch (RevocationCodec.InvalidException e) {
            log.warn("skipped a revocation message this node cannot read ({}): {}", e.getMessage(), abbreviate(json));
            return;
        }
        if (nodeId.equals(m.origin())) {
            return; // applied when it was made here
        }
        receive(RevocationCodec.member(m.revocation()), m.revocation());
    }

    /**
     * Catches up after a (re)connect: trims the set, loads its active members and delivers those not known here,
     * then writes back and publishes the known ones the set lacks (Redis restarted empty, or published while down).
     */
    CompletableFuture<Void> resync(RedisAsyncCommands<String, String> redis) {
        long now = System.currentTimeMillis();
        forgetExpired(now);
        return redis.zremrangebyscore(keys.revocations(), Double.NEGATIVE_INFINITY, now).toCompletableFuture()
                .thenCompose(n -> redis.zrangebyscore(keys.revocations(), now, Double.POSITIVE_INFINITY)
                        .toCompletableFuture())
                .thenCompose(members -> {
                    Set<String> stored = new HashSet<>(members);
                    for (String member : members) {
                        try {
                            Revocation r = RevocationCodec.parse(member).revocation();
                            receive(member, r);
                        } catch (RevocationCodec.InvalidException e) {
                            log.warn("skipped a stored revocation this node cannot read ({}): {}", e.getMessage(),
                                    abbreviate(member));
                        }
                    }
                    List<CompletableFuture<?>> healing = new ArrayList<>();
                    known.forEach((member, r) -> {
                        if (!stored.contains(member) && r.forgetAt() > now) {
                            healing.add(publish(redis, r));
                        }
                    });
                    if (!healing.isEmpty()) {
                        log.info("wrote {} active revocation(s) back to Redis and published them", healing.size());
                    }
                    return CompletableFuture.allOf(healing.toArray(CompletableFuture[]::new));
                });
    }

    /** Active revocations remembered here. */
    int remembered() {
        return known.size();
    }

    private void receive(String member, Revocation r) {
        if (r.forgetAt() <= System.currentTimeMillis() || known.containsKey(member)) {
            return;
        }
        if (roomFor(member) && known.putIfAbsent(member, r) != null) {
            return; // a racing copy (message and resync) got here first
        }
        // Delivered even when the bound is reached: the gateway's list has its own bound and says when it is full.
        deliver.accept(r);
    }

    private boolean remember(String member, Revocation r) {
        if (!roomFor(member)) {
            return false;
        }
        known.put(member, r);
        return true;
    }

    private boolean roomFor(String member) {
        if (known.size() < maxRemembered || known.containsKey(member)) {
            return true;
        }
        forgetExpired(System.currentTimeMillis());
        if (known.size() < maxRemembered) {
            return true;
        }
        log.warn("{} revocations remembered: another will not be written back if Redis loses it", maxRemembered);
        return false;
    }

    private void forgetExpired(long now) {
        known.values().removeIf(r -> r.forgetAt() <= now);
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "…";
    }
}
