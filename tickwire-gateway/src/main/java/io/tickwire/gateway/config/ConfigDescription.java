package io.tickwire.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The effective configuration as one {@code key.path: value} line per key, for the start-up log and
 * {@code --print-config}. Text and lists under a key whose name contains secret, password or token are
 * shown as {@code ****} (or {@code (unset)} when empty), never as their value.
 */
final class ConfigDescription {

    static final String MASK = "****";
    static final String UNSET = "(unset)";

    private ConfigDescription() {}

    static String render(GatewayConfig config) {
        List<String> lines = new ArrayList<>();
        lines.add("mode: " + word(config.mode()));
        ConfigTree.leaves(toTree(config)).forEach((path, value) -> lines.add(path + ": " + show(path, value)));
        return String.join("\n", lines);
    }

    /** The configuration as a tree with the same key paths as config/defaults.yaml. */
    static ObjectNode toTree(GatewayConfig c) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("node-id", c.nodeId());
        GatewayConfig.Server s = c.server();
        ObjectNode server = root.putObject("server")
                .put("host", s.host())
                .put("port", s.port())
                .put("transport", word(s.transport()))
                .put("io-threads", s.ioThreads())
                .put("max-connections", s.maxConnections())
                .put("max-connections-per-user", s.maxConnectionsPerUser())
                .put("handshakes-per-second", s.handshakesPerSecond())
                .put("handshake-burst", s.handshakeBurst())
                .put("address-handshakes-per-second", s.addressHandshakesPerSecond())
                .put("address-handshake-burst", s.addressHandshakeBurst())
                .put("max-pending-connections", s.maxPendingConnections())
                .put("address-max-pending-connections", s.addressMaxPendingConnections())
                .put("proxy-protocol", s.proxyProtocol());
        addAll(server.putArray("trusted-proxies"), s.trustedProxies());
        root.putObject("ws")
                .put("path", c.ws().path())
                .put("heartbeat-ms", c.ws().heartbeatMs())
                .put("max-frame-bytes", c.ws().maxFrameBytes())
                .put("max-json-depth", c.ws().maxJsonDepth())
                .put("handshake-timeout-ms", c.ws().handshakeTimeoutMs())
                .put("max-ops-per-second", c.ws().maxOpsPerSecond())
                .put("max-ops-burst", c.ws().maxOpsBurst());
        root.putObject("outbound")
                .put("budget-bytes", c.outbound().budgetBytes())
                .put("high-water-bytes", c.outbound().highWaterBytes())
                .put("low-water-bytes", c.outbound().lowWaterBytes())
                .put("socket-send-buffer-bytes", c.outbound().socketSendBufferBytes())
                .put("max-unwritable-ms", c.outbound().maxUnwritableMs());
        GatewayConfig.Auth a = c.auth();
        ObjectNode auth = root.putObject("auth")
                .put("hmac-secret", a.hmacSecret())
                .put("public-key-file", a.publicKeyFile())
                .put("jwks-url", a.jwksUrl())
                .put("jwks-refresh-min-seconds", a.jwksRefreshMinSeconds())
                .put("jwks-cache-seconds", a.jwksCacheSeconds())
                .put("issuer", a.issuer())
                .put("audience", a.audience())
                .put("require-iat", a.requireIat())
                .put("allow-query-token", a.allowQueryToken());
        addAll(auth.putArray("allowed-origins"), a.allowedOrigins());
        auth.put("rooms-claim", a.roomsClaim());
        addAll(auth.putArray("grant-templates"), a.grantTemplates());
        auth.put("leeway-seconds", a.leewaySeconds()).put("expiry-warning-seconds", a.expiryWarningSeconds())
                .put("max-revocations", a.maxRevocations())
                .put("revocation-retention-seconds", a.revocationRetentionSeconds());
        ObjectNode rooms = root.putObject("rooms")
                .put("max-event-bytes", c.rooms().maxEventBytes())
                .put("max-subscriptions-per-connection", c.rooms().maxSubscriptionsPerConnection());
        ObjectNode kinds = rooms.putObject("kinds");
        c.rooms().kinds().forEach((name, kind) -> kinds.putObject(name)
                .put("access", word(kind.access()))
                .put("delivery", word(kind.delivery()))
                .put("history-events", kind.historyEvents())
                .put("history-seconds", kind.historySeconds())
                .put("max-rooms", kind.maxRooms())
                .put("idle-evict-seconds", kind.idleEvictSeconds())
                .put("min-interval-ms", kind.minIntervalMs()));
        root.putObject("bus")
                .put("type", c.bus().type())
                .put("dedup-window-seconds", c.bus().dedupWindowSeconds())
                .put("dedup-max-entries", c.bus().dedupMaxEntries());
        GatewayConfig.Nats n = c.bus().nats();
        ObjectNode nats = ((ObjectNode) root.get("bus")).putObject("nats");
        addAll(nats.putArray("urls"), n.urls().stream().map(ConfigDescription::withoutPassword).toList());
        nats.put("subject-prefix", n.subjectPrefix())
                .put("stream-prefix", n.streamPrefix())
                .put("history-concurrency", n.historyConcurrency())
                .put("history-queue", n.historyQueue())
                .put("request-timeout-ms", n.requestTimeoutMs())
                .put("warmup-events", n.warmupEvents());
        ObjectNode demo = root.putObject("demo");
        addAll(demo.putArray("symbols"), c.demo().symbols());
        demo.put("updates-per-second", c.demo().updatesPerSecond())
                .put("accounts", c.demo().accounts())
                .put("dev-token-ttl-seconds", c.demo().devTokenTtlSeconds());
        root.putObject("tls").put("cert-file", c.tls().certFile()).put("key-file", c.tls().keyFile());
        root.putObject("drain")
                .put("window-seconds", c.drain().windowSeconds())
                .put("exit-deadline-seconds", c.drain().exitDeadlineSeconds());
        GatewayConfig.Cluster cl = c.cluster();
        ObjectNode cluster = root.putObject("cluster");
        cluster.putObject("redis").put("url", withoutPassword(cl.redisUrl()));
        cluster.put("heartbeat-ms", cl.heartbeatMs())
                .put("node-ttl-ms", cl.nodeTtlMs())
                .put("key-prefix", cl.keyPrefix())
                .put("max-connections-per-user", cl.maxConnectionsPerUser());
        return root;
    }

    private static String show(String path, JsonNode value) {
        boolean empty = value.isArray() ? value.isEmpty() : value.asText().isEmpty();
        if (ConfigTree.isSecretKey(path) && (value.isTextual() || value.isArray())) {
            return empty ? UNSET : MASK;
        }
        if (value.isArray()) {
            List<String> items = new ArrayList<>();
            value.forEach(item -> items.add(item.asText()));
            return "[" + String.join(", ", items) + "]";
        }
        return value.isTextual() && empty ? "\"\"" : value.asText();
    }

    /** A URL's user information ({@code redis://:password@host}) shown as {@code ****}. */
    static String withoutPassword(String url) {
        int scheme = url.indexOf("://");
        int at = url.lastIndexOf('@');
        return scheme < 0 || at < scheme ? url : url.substring(0, scheme + 3) + MASK + url.substring(at);
    }

    private static void addAll(ArrayNode array, List<String> items) {
        items.forEach(array::add);
    }

    private static String word(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT);
    }
}
