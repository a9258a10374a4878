package io.tickwire.gateway.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * A test client on the JDK's own {@link WebSocket}: parses every server frame as JSON into a queue, and
 * records the close code. Reading can be paused ({@link #pause()}): the JDK client then stops reading the
 * socket, so the gateway sees a slow reader.
 */
public final class JdkWsClient extends ReceivedMessages implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** How a test passes the token. */
    public enum TokenPlace { HEADER, SUBPROTOCOL, QUERY, NONE }

    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private volatile boolean paused;
    private volatile WebSocket socket;
    private volatile String closeReason;

    private JdkWsClient() {}

    /** Connects with the token in the {@code Authorization} header. */
    public static JdkWsClient connect(URI uri, String token) {
        return connect(uri, token, TokenPlace.HEADER, null);
    }

    /**
     * Connects; throws {@link HandshakeRefused} with the HTTP status if the server refuses the upgrade.
     */
    public static JdkWsClient connect(URI uri, String token, TokenPlace place, String origin) {
        JdkWsClient client = new JdkWsClient();
        WebSocket.Builder b = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        URI target = uri;
        switch (place) {
            case HEADER -> b.header("Authorization", "Bearer " + token);
            case SUBPROTOCOL -> b.subprotocols("tickwire.v1", "bearer." + token);
            case QUERY -> target = URI.create(uri + "?token=" + token);
            case NONE -> { }
        }
        if (origin != null) {
            b.header("Origin", origin);
        }
        try {
            client.socket = b.buildAsync(target, client.listener()).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException h) {
                throw new HandshakeRefused(h.getResponse().statusCode(), String.valueOf(h.getResponse().body()));
            }
            throw e;
        }
        return client;
    }

    /** The server refused the upgrade with an HTTP status. */
    public static final class HandshakeRefused extends RuntimeException {
        public final int status;

        HandshakeRefused(int status, String body) {
            super("handshake refused: " + status + " " + body);
            this.status = status;
        }
    }

    private WebSocket.Listener listener() {
        return new WebSocket.Listener() {
            @Override
            public void onOpen(WebSocket ws) {
                ws.request(1);
            }

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    String text = partial.toString();
                    partial.setLength(0);
                    try {
                        messages.add(JSON.readTree(text));
                    } catch (Exception e) {
                        messages.add(JSON.createObjectNode().put("type", "__unparseable__").put("text", text));
                    }
                }
                if (!paused) {
                    ws.request(1);
                }
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
                closeReason = reason;
                closed.complete(statusCode);
                return null;
            }

            @Override
            public void onError(WebSocket ws, Throwable error) {
                closed.complete(-1);
            }
        };
    }

    public void send(String json) {
        socket.sendText(json, true).join();
    }

    /** The subprotocol the server chose. */
    public String subprotocol() {
        return socket.getSubprotocol();
    }

    /** Stops asking for frames: the JDK client stops reading the socket. */
    public void pause() {
        paused = true;
    }

    public void resume() {
        paused = false;
        socket.request(1);
    }

    /** The close code the server sent, waiting up to {@code timeout}. */
    public int awaitClose(Duration timeout) {
        try {
            return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("not closed within " + timeout, e);
        }
    }

    public String closeReason() {
        return closeReason;
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    /** Drops the TCP connection without a close handshake. */
    public void abort() {
        socket.abort();
    }

    @Override
    protected String closeNote() {
        return closed.isDone() ? " (closed " + closed.getNow(0) + ")" : "";
    }

    @Override
    public void close() {
        if (socket != null && !closed.isDone()) {
            socket.abort();
        }
    }
}
