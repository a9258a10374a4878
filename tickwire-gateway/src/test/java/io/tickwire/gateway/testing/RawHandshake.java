package io.tickwire.gateway.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A WebSocket upgrade written by hand on a plain socket, for what the JDK client cannot do: choose the
 * local source address (any of 127.0.0.0/8 on Linux), send bytes before the request (a PROXY protocol
 * header), and set {@code X-Forwarded-For}. Reads the response head, and after a 101 the first frame's
 * close code if it is a close frame.
 */
public final class RawHandshake implements AutoCloseable {

    private static final int TIMEOUT_MILLIS = 5_000;

    private final Socket socket;
    private final InputStream in;
    public final int status;
    public final Map<String, String> headers;
    public final String body;

    private RawHandshake(Socket socket, int status, Map<String, String> headers, String body) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.status = status;
        this.headers = headers;
        this.body = body;
    }

    /** What to send. */
    public static final class Request {
        private String source = "127.0.0.1";
        private byte[] prefix = new byte[0];
        private String token;
        private String origin;
        private final Map<String, String> extra = new LinkedHashMap<>();

        /** The local address to connect from. */
        public Request from(String sourceAddress) {
            this.source = sourceAddress;
            return this;
        }

        /** Bytes written before the HTTP request, such as a PROXY protocol header. */
        public Request prefix(byte[] bytes) {
            this.prefix = bytes;
            return this;
        }

        public Request token(String jwt) {
            this.token = jwt;
            return this;
        }

        public Request origin(String value) {
            this.origin = value;
            return this;
        }

        public Request header(String name, String value) {
            extra.put(name, value);
            return this;
        }
    }

    public static Request request() {
        return new Request();
    }

    /** Connects to {@code port} on 127.0.0.1, sends the upgrade and reads the response head. */
    public static RawHandshake send(int port, Request r) throws IOException {
        Socket s = new Socket();
        try {
            s.bind(new InetSocketAddress(InetAddress.getByName(r.source), 0));
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), TIMEOUT_MILLIS);
            s.setSoTimeout(TIMEOUT_MILLIS);
            StringBuilder req = new StringBuilder()
                    .append("GET /ws HTTP/1.1\r\n")
                    .append("Host: 127.0.0.1:").append(port).append("\r\n")
                    .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
                    .append("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n");
            if (r.token != null && r.origin == null) {
                req.append("Authorization: Bearer ").append(r.token).append("\r\n");
            }
            if (r.origin != null) {
                req.append("Origin: ").append(r.origin).append("\r\n");
                req.append("Sec-WebSocket-Protocol: tickwire.v1");
                if (r.token != null) {
                    req.append(", bearer.").append(r.token);
                }
                req.append("\r\n");
            }
            r.extra.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
            req.append("\r\n");
            OutputStream out = s.getOutputStream();
            out.write(r.prefix);
            out.write(req.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return readResponse(s);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private static RawHandshake readResponse(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed before a response head (" + head.size() + " bytes read)");
            }
            head.write(b);
            matched = (b == '\r' || b == '\n') && "\r\n\r\n".charAt(matched) == b ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String[] lines = head.toString(StandardCharsets.US_ASCII).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
            }
        }
        String body = "";
        String length = headers.get("content-length");
        if (status != 101 && length != null) {
            body = new String(in.readNBytes(Integer.parseInt(length)), StandardCharsets.UTF_8);
        }
        return new RawHandshake(s, status, headers, body);
    }

    /** Whether the server closes the connection (end of stream) within the read timeout, reading past any bytes. */
    public static boolean closedWithoutResponse(int port, String source, byte[] bytes) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), TIMEOUT_MILLIS);
            s.setSoTimeout(TIMEOUT_MILLIS);
            s.getOutputStream().write(bytes);
            s.getOutputStream().flush();
            try {
                return s.getInputStream().read() < 0;
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException reset) {
                return true;
            }
        }
    }

    /** Drops the connection with a TCP reset (SO_LINGER 0), as when a network path fails. */
    public void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    /** A frame the server sent after a 101: its opcode, and for a close frame its code and reason. */
    public record Frame(int opcode, int closeCode, String text) {}

    /** After a 101: the next frame from the server (unmasked, under 126 bytes, as the tests need). */
    public Frame nextFrame() throws IOException {
        int b0 = in.read();
        int len = in.read() & 0x7f;
        if (b0 < 0 || len >= 126) {
            throw new IOException("no frame, or one too long for this helper");
        }
        byte[] payload = in.readNBytes(len);
        int opcode = b0 & 0x0f;
        if (opcode == 0x8 && payload.length >= 2) {
            return new Frame(opcode, (payload[0] & 0xff) << 8 | (payload[1] & 0xff),
                    new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8));
        }
        return new Frame(opcode, -1, new String(payload, StandardCharsets.UTF_8));
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
