package io.tickwire.gateway.config;

import java.util.List;
import java.util.Map;

/**
 * The gateway's whole configuration, immutable and validated. Built only by {@link ConfigLoader} from
 * the embedded defaults, an optional YAML file and {@code TICKWIRE_*} environment variables; the key
 * path of each component is given in its javadoc ({@code server.port}, {@code auth.hmac-secret}, ...).
 */
public record GatewayConfig(
        Mode mode,
        /* node-id */ String nodeId,
        Server server,
        Ws ws,
        Outbound outbound,
        Auth auth,
        Rooms rooms,
        Bus bus,
        Demo demo,
        Tls tls,
        Drain drain,
        Cluster cluster) {

    /** {@code demo}: simulated feed and dev tokens; {@code serve}: production. */
    public enum Mode { DEMO, SERVE }

    /**
     * {@code server.*}: the listening socket and event loops; how many WebSocket connections the node
     * holds, in all and per user ({@code sub}); how fast it admits new handshakes, in all and per client
     * address (token buckets); and how it learns a client's address behind a load balancer (a PROXY
     * protocol header on every connection, or {@code X-Forwarded-For} from the {@code trustedProxies}
     * CIDRs).
     */
    public record Server(String host, int port, Transport transport, int ioThreads, int maxConnections,
                         int maxConnectionsPerUser, int handshakesPerSecond, int handshakeBurst,
                         int addressHandshakesPerSecond, int addressHandshakeBurst, int maxPendingConnections,
                         int addressMaxPendingConnections, boolean proxyProtocol, List<String> trustedProxies) {}

    /** {@code server.transport}. */
    public enum Transport { AUTO, EPOLL, IO_URING, NIO }

    /**
     * {@code ws.*}: the WebSocket endpoint, and what one connection may send: frames up to
     * {@code maxFrameBytes}, JSON nested up to {@code maxJsonDepth}, operations at {@code maxOpsPerSecond}
     * with bursts of {@code maxOpsBurst} (a token bucket).
     */
    public record Ws(String path, long heartbeatMs, int maxFrameBytes, int maxJsonDepth, long handshakeTimeoutMs,
                     int maxOpsPerSecond, int maxOpsBurst) {}

    /**
     * {@code outbound.*}: what one connection may hold in memory on its way out. {@code lowWaterBytes} and
     * {@code highWaterBytes} set the channel's writability (conflation and paced replays start above high);
     * {@code budgetBytes} is the most a connection may have pending; {@code socketSendBufferBytes} sets
     * SO_SNDBUF, kept small so the gateway, not the kernel, decides what waits; a connection that stays
     * unwritable (above high water) for {@code maxUnwritableMs} is closed (4008).
     */
    public record Outbound(int budgetBytes, int highWaterBytes, int lowWaterBytes, int socketSendBufferBytes,
                           long maxUnwritableMs) {}

    /**
     * {@code auth.*}: how tokens are verified and what they grant. Keys: an HMAC secret (HS256/384/512,
     * as long as the secret allows), a PEM public key or certificate ({@code publicKeyFile}: RSA for
     * RS*&#47;PS*, EC for the ES* of its curve), and/or a JWKS URL with its refresh rules; {@code issuer} and
     * {@code audience} are checked when non-empty. Grants come from {@code roomsClaim} and from
     * {@code grantTemplates} such as {@code account:{sub}}. Revoked tokens and users are remembered, at most
     * {@code maxRevocations} entries at once, each until its token expires or for
     * {@code revocationRetentionSeconds} when that is unknown.
     */
    public record Auth(
            String hmacSecret,
            String publicKeyFile,
            String jwksUrl,
            long jwksRefreshMinSeconds,
            long jwksCacheSeconds,
            String issuer,
            String audience,
            boolean requireIat,
            boolean allowQueryToken,
            List<String> allowedOrigins,
            String roomsClaim,
            List<String> grantTemplates,
            long leewaySeconds,
            long expiryWarningSeconds,
            int maxRevocations,
            long revocationRetentionSeconds) {

        /** True if at least one verification key is configured. */
        public boolean hasKey() {
            return !hmacSecret.isEmpty() || !publicKeyFile.isEmpty() || !jwksUrl.isEmpty();
        }
    }

    /** {@code tls.*}: PEM certificate chain and private key; both empty = plain {@code ws://} and {@code http://}. */
    public record Tls(String certFile, String keyFile) {

        public boolean enabled() {
            return !certFile.isEmpty();
        }
    }

    /**
     * {@code rooms.*}: limits common to all rooms, and one policy per room kind under
     * {@code rooms.kinds.<kind>}.
     */
    public record Rooms(int maxEventBytes, int maxSubscriptionsPerConnection, Map<String, Kind> kinds) {}

    /**
     * {@code rooms.kinds.<kind>.*}: one room kind's policy. {@code minIntervalMs} (conflate kinds only) is the
     * shortest time between two updates of a room to one subscriber; 0 = no limit.
     */
    public record Kind(
            String name,
            Access access,
            Delivery delivery,
            int historyEvents,
            long historySeconds,
            int maxRooms,
            long idleEvictSeconds,
            long minIntervalMs) {

        /** A kind without a minimum interval. */
        public Kind(String name, Access access, Delivery delivery, int historyEvents, long historySeconds, int maxRooms,
                    long idleEvictSeconds) {
            this(name, access, delivery, historyEvents, historySeconds, maxRooms, idleEvictSeconds, 0);
        }
    }

    /** {@code rooms.kinds.<kind>.access}. */
    public enum Access { AUTHENTICATED, GRANTED }

    /** {@code rooms.kinds.<kind>.delivery}. */
    public enum Delivery { CONFLATE, RELIABLE }

    /**
     * {@code bus.*}: which event bus ({@code memory}, in process; {@code nats}, JetStream, from the
     * {@code tickwire-nats} module), the publish deduplication window, and the NATS settings.
     */
    public record Bus(String type, long dedupWindowSeconds, int dedupMaxEntries, Nats nats) {

        /** An in-memory bus (the NATS settings unused). */
        public Bus(String type, long dedupWindowSeconds, int dedupMaxEntries) {
            this(type, dedupWindowSeconds, dedupMaxEntries, Nats.UNUSED);
        }
    }

    /**
     * {@code bus.nats.*}: the NATS servers; subjects {@code <subjectPrefix>.<kind>.<key>} in streams
     * {@code <streamPrefix><KIND>}; JetStream reads in flight ({@code historyConcurrency}) and waiting
     * ({@code historyQueue}) per node; the bound on one request; how many recent events of each reliable stream
     * a node reads before it reports ready.
     */
    public record Nats(List<String> urls, String subjectPrefix, String streamPrefix, int historyConcurrency,
                       int historyQueue, long requestTimeoutMs, int warmupEvents) {

        /** Placeholder for buses that do not use NATS. */
        public static final Nats UNUSED = new Nats(List.of("nats://127.0.0.1:4222"), "tickwire", "TICKWIRE_", 8, 10_000,
                2_000, 10_000);
    }

    /**
     * {@code cluster.*}: coordination of a farm's nodes through Redis ({@code redisUrl}; empty = this node works
     * alone): each node's entry refreshed every {@code heartbeatMs} and gone {@code nodeTtlMs} after the last,
     * keys under {@code keyPrefix}, and the most connections one user may hold on all nodes together
     * ({@code maxConnectionsPerUser}; 0 = no farm-wide limit).
     */
    public record Cluster(String redisUrl, long heartbeatMs, long nodeTtlMs, String keyPrefix,
                          int maxConnectionsPerUser) {

        /** True when a Redis URL is configured. */
        public boolean coordinated() {
            return !redisUrl.isEmpty();
        }
    }

    /**
     * {@code demo.*}: the simulated market (symbols, updates per second per symbol, accounts 1..N) and the
     * lifetime of tokens minted by {@code /dev/token}. Used in demo mode only.
     */
    public record Demo(List<String> symbols, double updatesPerSecond, int accounts, long devTokenTtlSeconds) {}

    /**
     * {@code drain.*}: the graceful drain (SIGTERM or {@code POST /api/v1/drain}). Every connection is told to
     * reconnect and closed with 1012 at a time spread over {@code windowSeconds}; the process exits once no
     * connection is left, or at {@code exitDeadlineSeconds} at the latest.
     */
    public record Drain(long windowSeconds, long exitDeadlineSeconds) {}
}
