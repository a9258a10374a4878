package io.tickwire.gateway.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.tickwire.gateway.testing.TestGateway;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** wss:// and https:// served directly from PEM files; plain ws:// to the TLS port fails cleanly. */
class TlsTest {

    @TempDir
    static Path dir;
    static TestGateway gw;
    static HttpClient trusting;

    @BeforeAll
    static void start() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-keyout", key.toString(), "-out", cert.toString()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as("openssl made a test certificate").isTrue();
        gw = TestGateway.start(Map.of("TICKWIRE_TLS_CERT_FILE", cert.toString(), "TICKWIRE_TLS_KEY_FILE", key.toString()));

        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(cert)) {
            trust.setCertificateEntry("test", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        trusting = HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void wssAndHttpsAreServed() throws Exception {
        HttpResponse<String> live = trusting.send(
                HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + gw.port() + "/health/live")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(live.statusCode()).isEqualTo(200);

        CompletableFuture<String> first = new CompletableFuture<>();
        WebSocket ws = trusting.newWebSocketBuilder()
                .header("Authorization", "Bearer " + gw.token("secure"))
                .buildAsync(URI.create("wss://127.0.0.1:" + gw.port() + "/ws"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        first.complete(data.toString());
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        assertThat(first.get(10, TimeUnit.SECONDS)).contains("\"type\":\"welcome\"");
        ws.abort();
    }

    @Test
    void plainWebSocketToTheTlsPortFailsCleanly() throws Exception {
        Throwable failure = catchThrowable(() -> HttpClient.newHttpClient().newWebSocketBuilder()
                .header("Authorization", "Bearer " + gw.token("plain"))
                .buildAsync(URI.create("ws://127.0.0.1:" + gw.port() + "/ws"), new WebSocket.Listener() {})
                .get(10, TimeUnit.SECONDS));
        assertThat(failure).as("a plain client cannot talk to the TLS port").isNotNull();
        // and the port still serves TLS clients
        assertThat(trusting.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + gw.port() + "/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }
}
