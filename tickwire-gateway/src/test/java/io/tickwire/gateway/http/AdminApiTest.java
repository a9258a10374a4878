package io.tickwire.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickwire.gateway.auth.TokenMinter;
import io.tickwire.gateway.testing.JdkWsClient;
import io.tickwire.gateway.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Operations need a token with scope tickwire:admin. */
class AdminApiTest {

    @RegisterExtension
    static final TestGateway gw = TestGateway.perClass(Map.of());

    private static HttpResponse<String> cluster(String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.port() + "/api/v1/cluster"));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String token(String scope) {
        return new TokenMinter(TestGateway.SECRET).mint("ops", List.of(), scope, System.currentTimeMillis() + 60_000);
    }

    @Test
    void clusterNeedsTheAdminScope() throws Exception {
        assertThat(cluster(null).statusCode()).isEqualTo(401);
        assertThat(cluster(token("")).statusCode()).isEqualTo(403);
        assertThat(cluster(token("tickwire:publish")).statusCode()).isEqualTo(403);
        try (JdkWsClient c = JdkWsClient.connect(gw.wsUri(), gw.token("someone"))) {
            c.nextOfType("welcome");
            HttpResponse<String> ok = cluster(token("tickwire:publish tickwire:admin"));
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.body()).contains("\"node\":\"gw-test\"").contains("\"connections\":1").contains("\"ready\":true")
                    .startsWith("{\"coordination\":\"off\",\"nodes\":[{");
        }
    }
}
