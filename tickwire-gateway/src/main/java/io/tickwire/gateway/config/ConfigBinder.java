package io.tickwire.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.tickwire.gateway.config.GatewayConfig.Access;
import io.tickwire.gateway.config.GatewayConfig.Auth;
import io.tickwire.gateway.config.GatewayConfig.Tls;
import io.tickwire.gateway.config.GatewayConfig.Bus;
import io.tickwire.gateway.config.GatewayConfig.Delivery;
import io.tickwire.gateway.config.GatewayConfig.Demo;
import io.tickwire.gateway.config.GatewayConfig.Drain;
import io.tickwire.gateway.config.GatewayConfig.Kind;
import io.tickwire.gateway.config.GatewayConfig.Outbound;
import io.tickwire.gateway.config.GatewayConfig.Rooms;
import io.tickwire.gateway.config.GatewayConfig.Server;
import io.tickwire.gateway.config.GatewayConfig.Transport;
import io.tickwire.gateway.config.GatewayConfig.Ws;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns the assembled {@link ConfigTree} into a {@link GatewayConfig}, checking every value's type and
 * range and the rules between values (low water ≤ high water ≤ budget). Generated values (node id, demo
 * secret) are already in the tree; this class only reads.
 */
final class ConfigBinder {

    static final int MIN_HMAC_SECRET_BYTES = 32;
    private static final int MIB = 1024 * 1024;
    private static final int MAX = Integer.MAX_VALUE;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final String NAME_EXPECTED = "1 to 64 letters, digits, '.', '_' or '-'";
    private static final Pattern WS_PATH = Pattern.compile("/[^\\s?#]*");
    private static final Pattern ORIGIN = Pattern.compile("\\*|[a-z][a-z0-9+.-]*://[^/\\s?#]+");
    private static final Pattern URL = Pattern.compile("https?://\\S+");
    /** kind:prefix{claim}suffix, one placeholder in the key. */
    static final Pattern GRANT_TEMPLATE =
            Pattern.compile("[a-z][a-z0-9]{0,31}:[A-Za-z0-9._-]*\\{[A-Za-z0-9_.:-]{1,64}\\}[A-Za-z0-9._-]*");

    private static final Pattern BUS_TYPE = Pattern.compile("memory|nats");
    private static final Pattern NATS_URL = Pattern.compile("(nats|tls)://[^\\s,]+");
    private static final Pattern SUBJECT_PREFIX = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");
    private static final Pattern STREAM_PREFIX = Pattern.compile("[A-Za-z0-9_-]{0,32}");
    private static final Pattern REDIS_URL = Pattern.compile("rediss?://\\S+");
    private static final Pattern KEY_PREFIX = Pattern.compile("[!-~]{0,64}");

    private final ConfigValues values;

    ConfigBinder(ConfigTree tree) {
        this.values = new ConfigValues(tree);
    }

    GatewayConfig bind(GatewayConfig.Mode mode) {
        String nodeId = values.text("node-id", NAME, NAME_EXPECTED);
        Rooms rooms = rooms();
        return new GatewayConfig(
                mode, nodeId, server(), ws(), outbound(rooms.maxEventBytes()), auth(), rooms, bus(), demo(), tls(),
                drain(), cluster());
    }

    private Server server() {
        return new Server(
                values.nonEmptyText("server.host"),
                values.integer("server.port", 0, 65535),
                values.oneOf("server.transport", Transport.class),
                values.integer("server.io-threads", 0, MAX),
                values.integer("server.max-connections", 1, MAX),
                values.integer("server.max-connections-per-user", 1, MAX),
                values.integer("server.handshakes-per-second", 1, 1_000_000),
                values.integer("server.handshake-burst", 1, 1_000_000),
                values.integer("server.address-handshakes-per-second", 1, 1_000_000),
                values.integer("server.address-handshake-burst", 1, 1_000_000),
                values.integer("server.max-pending-connections", 1, MAX),
                values.integer("server.address-max-pending-connections", 1, MAX),
                values.bool("server.proxy-protocol"),
                trustedProxies());
    }

    /** CIDRs such as 10.0.0.0/8 or fd00::/8, or single addresses; IP literals only, never host names. */
    private List<String> trustedProxies() {
        return values.list("server.trusted-proxies", cidr -> {
            try {
                AddressRange.parse(cidr);
                return null;
            } catch (IllegalArgumentException e) {
                return e.getMessage();
            }
        }, "an IPv4 or IPv6 address or CIDR, such as 10.0.0.0/8 or fd00::/8");
    }

    private Ws ws() {
        return new Ws(
                values.text("ws.path", WS_PATH, "a path starting with '/', without spaces, '?' or '#'"),
                values.integer("ws.heartbeat-ms", 1000, Long.MAX_VALUE),
                values.integer("ws.max-frame-bytes", 128, 16 * MIB),
                values.integer("ws.max-json-depth", 2, 64),
                values.integer("ws.handshake-timeout-ms", 1, Long.MAX_VALUE),
                values.integer("ws.max-ops-per-second", 1, 1_000_000),
                values.integer("ws.max-ops-burst", 1, 1_000_000));
    }

    /** Room for an event's envelope and WebSocket header around its data. */
    static final int ENVELOPE_BYTES = 1024;

    private Outbound outbound(int maxEventBytes) {
        int budget = values.integer("outbound.budget-bytes", 1, MAX);
        int high = values.integer("outbound.high-water-bytes", 1, MAX);
        int low = values.integer("outbound.low-water-bytes", 1, MAX);
        int sendBuffer = values.integer("outbound.socket-send-buffer-bytes", 4096, MAX);
        if (high > budget) {
            throw values.bad("outbound.high-water-bytes", "at most outbound.budget-bytes (" + budget + ")");
        }
        if (low > high) {
            throw values.bad("outbound.low-water-bytes", "at most outbound.high-water-bytes (" + high + ")");
        }
        long needed = (long) high + maxEventBytes + ENVELOPE_BYTES;
        if (budget < needed) {
            // A reliable event is queued while the connection is below the writability line; it must fit.
            throw values.bad("outbound.budget-bytes", "at least outbound.high-water-bytes + rooms.max-event-bytes + "
                    + ENVELOPE_BYTES + " (" + needed + "), so that an event always fits above the writability line");
        }
        return new Outbound(budget, high, low, sendBuffer, values.integer("outbound.max-unwritable-ms", 100, 3_600_000));
    }

    private Auth auth() {
        long jwksRefreshMin = values.integer("auth.jwks-refresh-min-seconds", 1, Long.MAX_VALUE);
        long jwksCache = values.integer("auth.jwks-cache-seconds", 1, Long.MAX_VALUE);
        if (jwksRefreshMin >= jwksCache) {
            throw values.bad("auth.jwks-refresh-min-seconds",
                    "less than auth.jwks-cache-seconds (" + jwksCache + "), or the cache could never refresh");
        }
        String secret = values.text("auth.hmac-secret");
        int secretBytes = secret.getBytes(StandardCharsets.UTF_8).length;
        if (!secret.isEmpty() && secretBytes < MIN_HMAC_SECRET_BYTES) {
            throw values.bad("auth.hmac-secret",
                    "at least " + MIN_HMAC_SECRET_BYTES + " bytes (HS256 needs a 256-bit key)");
        }
        return new Auth(
                secret,
                readableFile("auth.public-key-file"),
                values.text("auth.jwks-url").isEmpty() ? "" : values.text("auth.jwks-url", URL, "an http:// or https:// URL"),
                jwksRefreshMin,
                jwksCache,
                values.text("auth.issuer"),
                values.text("auth.audience"),
                values.bool("auth.require-iat"),
                values.bool("auth.allow-query-token"),
                values.list("auth.allowed-origins", ORIGIN,
                        "'*' or an origin such as https://app.example.com (scheme://host[:port], no path)"),
                values.nonEmptyText("auth.rooms-claim"),
                values.list("auth.grant-templates", GRANT_TEMPLATE,
                        "a room with one {claim} placeholder in its key, such as account:{sub}"),
                values.integer("auth.leeway-seconds", 0, Long.MAX_VALUE),
                values.integer("auth.expiry-warning-seconds", 0, Long.MAX_VALUE),
                values.integer("auth.max-revocations", 1, 10_000_000),
                values.integer("auth.revocation-retention-seconds", 1, Long.MAX_VALUE));
    }

    private Tls tls() {
        String cert = readableFile("tls.cert-file");
        String key = readableFile("tls.key-file");
        if (cert.isEmpty() != key.isEmpty()) {
            throw values.bad(cert.isEmpty() ? "tls.cert-file" : "tls.key-file",
                    "set together with " + (cert.isEmpty() ? "tls.key-file" : "tls.cert-file"));
        }
        return new Tls(cert, key);
    }

    /** A file path that is empty or names a readable file. */
    private String readableFile(String path) {
        String file = values.text(path);
        if (!file.isEmpty() && !java.nio.file.Files.isReadable(java.nio.file.Path.of(file))) {
            throw values.bad(path, "a readable file");
        }
        return file;
    }

    private Rooms rooms() {
        int maxEventBytes = values.integer("rooms.max-event-bytes", 64, 16 * MIB);
        int maxSubscriptions = values.integer("rooms.max-subscriptions-per-connection", 1, MAX);
        Map<String, Kind> kinds = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : values.mapping(ConfigMerger.KINDS_PATH).properties()) {
            kinds.put(field.getKey(), kind(field.getKey()));
        }
        return new Rooms(maxEventBytes, maxSubscriptions, Collections.unmodifiableMap(kinds));
    }

    private Kind kind(String name) {
        String p = ConfigMerger.KINDS_PATH + "." + name + ".";
        Delivery delivery = values.oneOf(p + "delivery", Delivery.class);
        long minIntervalMs = values.integer(p + "min-interval-ms", 0, 60_000);
        if (minIntervalMs > 0 && delivery == Delivery.RELIABLE) {
            throw values.fail(p + "min-interval-ms", "applies to conflate kinds only: a reliable kind never skips an event");
        }
        return new Kind(
                name,
                values.oneOf(p + "access", Access.class),
                delivery,
                values.integer(p + "history-events", 1, MAX),
                values.integer(p + "history-seconds", 0, Long.MAX_VALUE),
                values.integer(p + "max-rooms", 1, MAX),
                values.integer(p + "idle-evict-seconds", 1, Long.MAX_VALUE),
                minIntervalMs);
    }

    private Bus bus() {
        String type = values.text("bus.type", BUS_TYPE, "memory or nats");
        return new Bus(
                type,
                values.integer("bus.dedup-window-seconds", 1, Long.MAX_VALUE),
                values.integer("bus.dedup-max-entries", 1, MAX),
                nats());
    }

    private GatewayConfig.Nats nats() {
        List<String> urls = values.list("bus.nats.urls", NATS_URL, "nats://host:port (or tls://host:port)");
        if (urls.isEmpty()) {
            throw values.bad("bus.nats.urls", "at least one server");
        }
        return new GatewayConfig.Nats(
                urls,
                values.text("bus.nats.subject-prefix", SUBJECT_PREFIX, "subject tokens of letters, digits, '_' or '-'"
                        + " joined by '.'"),
                values.text("bus.nats.stream-prefix", STREAM_PREFIX, "0 to 32 letters, digits, '_' or '-'"),
                values.integer("bus.nats.history-concurrency", 1, 1024),
                values.integer("bus.nats.history-queue", 1, 10_000_000),
                values.integer("bus.nats.request-timeout-ms", 1, 600_000),
                values.integer("bus.nats.warmup-events", 0, 10_000_000));
    }

    private GatewayConfig.Cluster cluster() {
        String url = values.text("cluster.redis.url").strip();
        if (!url.isEmpty() && !REDIS_URL.matcher(url).matches()) {
            throw values.bad("cluster.redis.url", "redis://host:port[/db] or rediss://..., or \"\" for none");
        }
        long heartbeat = values.integer("cluster.heartbeat-ms", 100, 600_000);
        long ttl = values.integer("cluster.node-ttl-ms", 200, 3_600_000);
        if (ttl <= heartbeat) {
            throw values.bad("cluster.node-ttl-ms", "more than cluster.heartbeat-ms (" + heartbeat
                    + "), or live nodes would drop out of the registry between heartbeats");
        }
        return new GatewayConfig.Cluster(
                url,
                heartbeat,
                ttl,
                values.text("cluster.key-prefix", KEY_PREFIX, "0 to 64 printable characters without spaces"),
                values.integer("cluster.max-connections-per-user", 0, MAX));
    }

    private Demo demo() {
        List<String> symbols = values.list("demo.symbols", NAME, "a ticker of " + NAME_EXPECTED);
        if (symbols.isEmpty()) {
            throw values.bad("demo.symbols", "at least one symbol");
        }
        Set<String> seen = new HashSet<>();
        for (String symbol : symbols) {
            if (!seen.add(symbol)) {
                throw values.fail("demo.symbols", "symbol " + symbol + " is listed twice");
            }
        }
        return new Demo(
                symbols,
                values.positiveNumber("demo.updates-per-second", 1000),
                values.integer("demo.accounts", 1, 1000),
                values.integer("demo.dev-token-ttl-seconds", 1, Long.MAX_VALUE));
    }

    private Drain drain() {
        long window = values.integer("drain.window-seconds", 0, 3600);
        long deadline = values.integer("drain.exit-deadline-seconds", 1, Long.MAX_VALUE);
        if (deadline < window + 1) {
            // the last connections are closed at the end of the window; their close handshakes need a moment
            throw values.bad("drain.exit-deadline-seconds", "at least drain.window-seconds + 1 (" + (window + 1) + ")");
        }
        return new Drain(window, deadline);
    }
}
