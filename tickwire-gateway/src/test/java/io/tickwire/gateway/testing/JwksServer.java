package io.tickwire.gateway.testing;

import com.nimbusds.jose.jwk.JWKSet;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A JWKS endpoint for tests, on the JDK's own HTTP server at {@code 127.0.0.1} (a free port chosen at the
 * first start, kept across {@link #stop()} and {@link #restart()}). It answers every path with the current
 * document (a JWK set's public keys, or any text set with {@link #serveText}), counts the requests and
 * remembers their paths, and can answer late ({@link #delayMillis}) to stand for a slow identity provider.
 */
public final class JwksServer implements AutoCloseable {

    private final AtomicInteger requests = new AtomicInteger();
    private final List<String> paths = new CopyOnWriteArrayList<>();
    private volatile String body;
    private volatile String contentType = "application/json";
    private volatile long delayMillis;
    private HttpServer server;
    private ExecutorService executor;
    private int port;

    private JwksServer(String body) {
        this.body = body;
    }

    /** Starts serving {@code keys} (public parts only) on a free loopback port. */
    public static JwksServer start(JWKSet keys) {
        JwksServer s = new JwksServer(keys.toPublicJWKSet().toString());
        s.bind(0);
        return s;
    }

    /** Starts serving {@code text} as {@code contentType} on a free loopback port. */
    public static JwksServer startText(String contentType, String text) {
        JwksServer s = new JwksServer(text);
        s.contentType = contentType;
        s.bind(0);
        return s;
    }

    /** From now on, serves {@code keys} (public parts only). */
    public void serve(JWKSet keys) {
        contentType = "application/json";
        body = keys.toPublicJWKSet().toString();
    }

    /** From now on, serves {@code text} as {@code contentType}. */
    public void serveText(String contentType, String text) {
        this.contentType = contentType;
        this.body = text;
    }

    /** Each answer waits this long first. */
    public void delayMillis(long millis) {
        this.delayMillis = millis;
    }

    /** The URL of the document (any path is answered alike). */
    public URI uri() {
        return URI.create("http://127.0.0.1:" + port + "/.well-known/jwks.json");
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    public int port() {
        return port;
    }

    /** Requests answered or being answered since the start (or the last {@link #resetCount()}). */
    public int requests() {
        return requests.get();
    }

    /** The paths requested, in order. */
    public List<String> paths() {
        return List.copyOf(paths);
    }

    public void resetCount() {
        requests.set(0);
        paths.clear();
    }

    /** Stops listening: connections to the port are refused until {@link #restart()}. */
    public synchronized void stop() {
        if (server != null) {
            server.stop(0);
            server = null;
            executor.shutdownNow();
            try {
                executor.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Listens again on the same port. */
    public synchronized void restart() {
        if (server == null) {
            bind(port);
        }
    }

    public synchronized boolean isRunning() {
        return server != null;
    }

    @Override
    public void close() {
        stop();
    }

    private synchronized void bind(int wanted) {
        IOException last = null;
        for (int attempt = 0; attempt < 50; attempt++) {
            try {
                HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), wanted), 64);
                executor = Executors.newCachedThreadPool(r -> {
                    Thread t = new Thread(r, "jwks-test-server");
                    t.setDaemon(true);
                    return t;
                });
                s.setExecutor(executor);
                s.createContext("/", this::answer);
                s.start();
                server = s;
                port = s.getAddress().getPort();
                return;
            } catch (IOException e) {
                last = e; // the same port may take a moment to be free again
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        throw new IllegalStateException("cannot listen on 127.0.0.1:" + wanted, last);
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            requests.incrementAndGet();
            paths.add(exchange.getRequestURI().getPath());
            long delay = delayMillis;
            if (delay > 0) {
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", contentType);
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
