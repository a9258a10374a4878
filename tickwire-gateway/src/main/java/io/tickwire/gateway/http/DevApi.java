package io.tickwire.gateway.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.tickwire.gateway.auth.Grants;
import io.tickwire.gateway.auth.TokenMinter;
import io.tickwire.gateway.config.GatewayConfig;
import io.tickwire.protocol.JsonWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Demo mode only: {@code GET /dev/token} mints a short-lived token with the gateway's own secret,
 * {@code GET /dev/symbols} lists the simulated market, and {@code /} serves the live page with its files
 * ({@link #PAGE_FILES}, from the resources' {@code web/}). Never mounted by {@code serve}, except
 * {@link #handleClient}: the JavaScript client, which every mode serves.
 */
public final class DevApi {

    /** The JavaScript client ({@code web/tickwire.js}), served in every mode so apps load the one matching their gateway. */
    public static final String CLIENT_PATH = "/tickwire.js";
    private static final byte[] CLIENT = resource("/web/tickwire.js");
    private static final String JAVASCRIPT = "text/javascript; charset=utf-8";
    /** The demo page's own files; {@code vendor/} is filled at build time from npm (tickwire-gateway/src/main/web-vendor). */
    static final Map<String, String> PAGE_FILES = Map.of(
            "/demo.js", JAVASCRIPT,
            "/demo.css", "text/css; charset=utf-8",
            "/vendor/lightweight-charts.standalone.production.js", JAVASCRIPT);

    private final TokenMinter minter;
    private final GatewayConfig.Demo demo;
    private final byte[] page;
    private final Map<String, byte[]> pageFiles = new HashMap<>();

    public DevApi(GatewayConfig config) {
        this.minter = new TokenMinter(config.auth().hmacSecret());
        this.demo = config.demo();
        this.page = resource("/web/index.html");
        PAGE_FILES.keySet().forEach(path -> pageFiles.put(path, resource("/web" + path)));
    }

    /** Handles {@code GET /tickwire.js} (any mode); false for any other request. */
    public static boolean handleClient(ChannelHandlerContext ctx, FullHttpRequest req, String path) {
        if (!path.equals(CLIENT_PATH) || !req.method().equals(HttpMethod.GET)) {
            return false;
        }
        HttpReplies.send(ctx, req, HttpResponseStatus.OK, JAVASCRIPT, CLIENT, null);
        return true;
    }

    /** Handles {@code path} if it is one of the dev endpoints; false otherwise. */
    public boolean handle(ChannelHandlerContext ctx, FullHttpRequest req, String path) {
        if (!req.method().equals(HttpMethod.GET)) {
            return false;
        }
        switch (path) {
            case "/dev/token" -> token(ctx, req);
            case "/dev/symbols" -> {
                StringBuilder b = new StringBuilder("{\"symbols\":[");
                for (int i = 0; i < demo.symbols().size(); i++) {
                    b.append(i == 0 ? "" : ",").append(JsonWriter.quote(demo.symbols().get(i)));
                }
                HttpReplies.json(ctx, req, HttpResponseStatus.OK, b.append("]}").toString());
            }
            case "/", "/index.html" -> HttpReplies.send(ctx, req, HttpResponseStatus.OK, "text/html; charset=utf-8", page, null);
            case "/favicon.ico" -> HttpReplies.send(ctx, req, HttpResponseStatus.NO_CONTENT, "image/x-icon", new byte[0], null);
            default -> {
                byte[] file = pageFiles.get(path);
                if (file == null) {
                    return false;
                }
                HttpReplies.send(ctx, req, HttpResponseStatus.OK, PAGE_FILES.get(path), file, null);
            }
        }
        return true;
    }

    private void token(ChannelHandlerContext ctx, FullHttpRequest req) {
        Map<String, List<String>> q = new QueryStringDecoder(req.uri()).parameters();
        String sub = first(q, "sub", "demo-user");
        List<String> rooms = Arrays.stream(first(q, "rooms", "").split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        String scope = first(q, "scope", "").replace(',', ' ');
        try {
            Grants.parse(rooms);
        } catch (IllegalArgumentException e) {
            HttpReplies.error(ctx, req, HttpResponseStatus.BAD_REQUEST, "bad_request", e.getMessage(), null);
            return;
        }
        if (sub.isBlank() || sub.length() > 128) {
            HttpReplies.error(ctx, req, HttpResponseStatus.BAD_REQUEST, "bad_request", "sub must be 1 to 128 characters", null);
            return;
        }
        // JWT exp has whole seconds: report exactly what the token (and the welcome) will say
        long expiresAt = (System.currentTimeMillis() / 1000 + demo.devTokenTtlSeconds()) * 1000L;
        String token = minter.mint(sub, rooms, scope, expiresAt);
        HttpReplies.json(ctx, req, HttpResponseStatus.OK, new JsonWriter(token.length() + 64).beginObject()
                .field("token", token).field("expires_at", expiresAt).endObject().toString());
    }

    private static String first(Map<String, List<String>> q, String name, String otherwise) {
        List<String> v = q.get(name);
        return v == null || v.isEmpty() ? otherwise : v.get(0);
    }

    private static byte[] resource(String name) {
        try (InputStream in = DevApi.class.getResourceAsStream(name)) {
            if (in == null) {
                return name.endsWith(".html")
                        ? "<!doctype html><title>Tickwire</title><p>Tickwire demo: page missing from this build.".getBytes()
                        : ("/* " + name + " missing from this build */").getBytes();
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
