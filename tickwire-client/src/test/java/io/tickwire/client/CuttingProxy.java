package io.tickwire.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy between a client and a gateway that a test can use to break connections the way networks do:
 * {@link #cut} resets them (SO_LINGER 0, so both peers get an RST, not a polite FIN), {@link #freeze} makes
 * them silently swallow every byte. New connections are forwarded normally.
 */
final class CuttingProxy implements AutoCloseable {

    private final ServerSocket server;
    private final int targetPort;
    private final List<Link> links = new CopyOnWriteArrayList<>();

    private CuttingProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    static CuttingProxy to(int targetPort) throws IOException {
        return new CuttingProxy(targetPort);
    }

    int port() {
        return server.getLocalPort();
    }

    String wsUrl() {
        return "ws://127.0.0.1:" + port() + "/ws";
    }

    /** Resets every open connection on both sides; returns how many there were. */
    int cut() {
        int n = 0;
        for (Link link : links) {
            links.remove(link);
            link.reset();
            n++;
        }
        return n;
    }

    /** From now on, open connections forward nothing, in either direction, and stay open. */
    void freeze() {
        links.forEach(link -> link.frozen = true);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                Link link = new Link(client, upstream);
                links.add(link);
                link.pump(client, upstream);
                link.pump(upstream, client);
            } catch (IOException e) {
                // closed, or the gateway is down: the client sees its connection fail
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        cut();
    }

    private final class Link {
        final Socket a;
        final Socket b;
        volatile boolean frozen;

        Link(Socket a, Socket b) {
            this.a = a;
            this.b = b;
        }

        void pump(Socket from, Socket to) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[16 * 1024];
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        if (!frozen) {
                            out.write(buf, 0, n);
                            out.flush();
                        }
                    }
                } catch (IOException e) {
                    // reset or closed
                }
                links.remove(this);
                closeQuietly();
            }, "proxy-pump");
            t.setDaemon(true);
            t.start();
        }

        void reset() {
            for (Socket s : new Socket[] {a, b}) {
                try {
                    s.setSoLinger(true, 0);
                } catch (SocketException e) {
                    // already closed
                }
            }
            closeQuietly();
        }

        void closeQuietly() {
            for (Socket s : new Socket[] {a, b}) {
                try {
                    s.close();
                } catch (IOException e) {
                    // nothing to do
                }
            }
        }
    }
}
