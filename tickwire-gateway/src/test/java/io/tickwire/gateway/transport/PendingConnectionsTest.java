package io.tickwire.gateway.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickwire.gateway.testing.JdkWsClient;
import io.tickwire.gateway.testing.TestGateway;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Connections that never become known (upgraded to a WebSocket, or authenticated by an HTTP request) cannot
 * hold the node's file descriptors: they are closed at the handshake deadline whatever they did meanwhile,
 * and they count against a node-wide and a per-address limit, so one address cannot take them all.
 */
class PendingConnectionsTest {

    private static final String HEALTH = "GET /health/live HTTP/1.1\r\nHost: gw\r\n\r\n";

    @Test
    void anUnauthenticatedKeepAliveConnectionIsClosedAtTheDeadlineAnAuthenticatedOneStays() throws Exception {
        try (TestGateway gw = TestGateway.start(Map.of("TICKWIRE_WS_HANDSHAKE_TIMEOUT_MS", "500"));
             Socket anonymous = socket(gw, "127.0.0.1");
             Socket publisher = socket(gw, "127.0.0.1")) {
            assertThat(request(anonymous, HEALTH)).startsWith("HTTP/1.1 200");
            String publish = publishRequest(gw.publisherToken(), "{\"room\":\"trades:P\",\"data\":{\"n\":1}}");
            assertThat(request(publisher, publish)).startsWith("HTTP/1.1 200");
            long t0 = System.nanoTime();
            assertThat(anonymous.getInputStream().read()).as("the anonymous keep-alive connection closed").isEqualTo(-1);
            assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(4_000);
            Thread.sleep(800); // past the deadline: the publisher is known and keeps its connection
            assertThat(request(publisher, publish)).startsWith("HTTP/1.1 200");
            // an answered connection that goes idle is closed, not counted as a refused handshake
            assertThat(rejected(gw, "handshake_timeout")).isZero();
        }
    }

    @Test
    void aTricklingRequestIsClosedAtTheDeadline() throws Exception {
        try (TestGateway gw = TestGateway.start(Map.of("TICKWIRE_WS_HANDSHAKE_TIMEOUT_MS", "500"));
             Socket trickle = socket(gw, "127.0.0.1")) {
            OutputStream out = trickle.getOutputStream();
            out.write("GET /ws HTTP/1.1\r\nHost: gw\r\n".getBytes(StandardCharsets.US_ASCII));
            long t0 = System.nanoTime();
            boolean closed = false;
            for (int i = 0; i < 60 && !closed; i++) { // one header byte every 50 ms, for up to 3 s
                try {
                    out.write('X');
                    out.flush();
                } catch (IOException e) {
                    closed = true;
                    break;
                }
                trickle.setSoTimeout(50);
                try {
                    closed = trickle.getInputStream().read() == -1;
                } catch (SocketTimeoutException stillOpen) {
                    // go on trickling
                } catch (IOException reset) {
                    closed = true;
                }
            }
            assertThat(closed).as("closed while trickling").isTrue();
            assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(300L, 2_500L);
            assertThat(rejected(gw, "handshake_timeout")).isEqualTo(1);
        }
    }

    @Test
    void oneAddressCannotHoldMoreThanItsShareOfPendingConnections() throws Exception {
        try (TestGateway gw = TestGateway.start(Map.of("TICKWIRE_SERVER_ADDRESS_MAX_PENDING_CONNECTIONS", "5"))) {
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < 5; i++) {
                    held.add(socket(gw, "127.0.0.2"));
                }
                awaitPending(gw, 5);
                try (Socket sixth = socket(gw, "127.0.0.2")) {
                    assertThat(sixth.getInputStream().read()).as("closed as accepted").isEqualTo(-1);
                }
                assertThat(rejected(gw, "address_pending")).isEqualTo(1);
                // other addresses, and WebSocket clients, are served meanwhile
                try (Socket other = socket(gw, "127.0.0.3")) {
                    assertThat(request(other, HEALTH)).startsWith("HTTP/1.1 200");
                }
                try (JdkWsClient ws = JdkWsClient.connect(gw.wsUri(), gw.token("someone"))) {
                    assertThat(ws.nextOfType("welcome")).isNotNull();
                }
                // the address gets its share back as its connections go
                held.remove(0).close();
                awaitPending(gw, 4);
                try (Socket again = socket(gw, "127.0.0.2")) {
                    assertThat(request(again, HEALTH)).startsWith("HTTP/1.1 200");
                }
            } finally {
                for (Socket s : held) {
                    s.close();
                }
            }
        }
    }

    @Test
    void theNodeHoldsAtMostItsMaximumOfPendingConnectionsAndSessionsDoNotCount() throws Exception {
        try (TestGateway gw = TestGateway.start(Map.of("TICKWIRE_SERVER_MAX_PENDING_CONNECTIONS", "4"));
             JdkWsClient session = JdkWsClient.connect(gw.wsUri(), gw.token("early"))) {
            session.nextOfType("welcome");
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    held.add(socket(gw, "127.0.0." + (10 + i)));
                }
                awaitPending(gw, 4);
                try (Socket fifth = socket(gw, "127.0.0.20")) {
                    assertThat(fifth.getInputStream().read()).as("closed as accepted").isEqualTo(-1);
                }
                assertThat(rejected(gw, "node_pending")).isEqualTo(1);
                // the session upgraded before is still served
                session.send("{\"op\":\"ping\",\"id\":3}");
                assertThat(session.nextOfType("pong").path("id").asInt()).isEqualTo(3);
            } finally {
                for (Socket s : held) {
                    s.close();
                }
            }
        }
    }

    private static Socket socket(TestGateway gw, String source) throws IOException {
        Socket s = new Socket(InetAddress.getByName("127.0.0.1"), gw.port(), InetAddress.getByName(source), 0);
        s.setSoTimeout(5_000);
        return s;
    }

    private static String publishRequest(String token, String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        return "POST /api/v1/publish HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer " + token
                + "\r\nContent-Type: application/json\r\nContent-Length: " + b.length + "\r\n\r\n" + body;
    }

    /** Sends one request and reads its whole response (by Content-Length). */
    private static String request(Socket s, String request) throws IOException {
        s.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("closed after: " + head);
            }
            head.append((char) c);
        }
        Matcher m = Pattern.compile("(?i)content-length: (\\d+)").matcher(head);
        int length = m.find() ? Integer.parseInt(m.group(1)) : 0;
        byte[] body = in.readNBytes(length);
        return head + new String(body, StandardCharsets.UTF_8);
    }

    private static void awaitPending(TestGateway gw, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (pending(gw) != expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(pending(gw)).isEqualTo(expected);
    }

    private static double pending(TestGateway gw) {
        return metric(gw, "(?m)^tickwire_connections_pending ([0-9.E+]+)$");
    }

    private static double rejected(TestGateway gw, String reason) {
        return metric(gw, "(?m)^tickwire_handshakes_rejected_total\\{reason=\"" + reason + "\"} ([0-9.E+]+)$");
    }

    /** Reads a metric in process: a request for /metrics would itself be a pending connection. */
    private static double metric(TestGateway gw, String pattern) {
        Matcher m = Pattern.compile(pattern).matcher(gw.gateway().scrapeMetrics());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
