package io.tickwire.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RevocationCodecTest {

    @Test
    void memberIsCanonicalAndMessageCarriesTheOrigin() throws Exception {
        Revocation user = Revocation.user("u\"1", 1_000, 2_000);
        assertThat(RevocationCodec.member(user)).isEqualTo("{\"t\":\"user\",\"k\":\"u\\\"1\",\"ib\":1000,\"fa\":2000}");
        RevocationCodec.Message m = RevocationCodec.parse(RevocationCodec.message("node-a", user));
        assertThat(m.origin()).isEqualTo("node-a");
        assertThat(m.revocation()).isEqualTo(user);
        Revocation jti = Revocation.token("abc", 5_000);
        assertThat(RevocationCodec.parse(RevocationCodec.member(jti))).isEqualTo(new RevocationCodec.Message(null, jti));
    }

    @Test
    void unknownFieldsAreSkippedAndBadInputRefused() throws Exception {
        assertThat(RevocationCodec.parse("{\"x\":{\"y\":[1]},\"t\":\"jti\",\"k\":\"a\",\"ib\":0,\"fa\":9}").revocation())
                .isEqualTo(Revocation.token("a", 9));
        for (String bad : new String[] {"", "[]", "{", "{\"t\":\"group\",\"k\":\"a\",\"ib\":0,\"fa\":9}",
                "{\"t\":\"jti\",\"k\":\"\",\"ib\":0,\"fa\":9}", "{\"t\":\"jti\",\"k\":\"a\",\"ib\":5,\"fa\":9}",
                "{\"t\":\"user\",\"k\":\"a\",\"ib\":\"5\",\"fa\":9}", "{\"t\":\"user\",\"k\":\"a\",\"ib\":5}"}) {
            assertThatThrownBy(() -> RevocationCodec.parse(bad)).as(bad).isInstanceOf(RevocationCodec.InvalidException.class);
        }
    }

    @Test
    void nodeInfoRoundTrips() {
        NodeInfo n = new NodeInfo("a\\b", true, false, 3, 4, 5, 6);
        assertThat(NodeInfo.parse(n.toJson())).isEqualTo(n);
        assertThat(n.toJson()).isEqualTo("{\"node\":\"a\\\\b\",\"ready\":true,\"draining\":false,\"connections\":3,"
                + "\"subscriptions\":4,\"rooms\":5,\"started_at\":6}");
        assertThat(NodeInfo.parse("nonsense")).isNull();
        assertThat(NodeInfo.parse("{\"ready\":true}")).isNull();
    }

    @Test
    void settingsAreChecked() {
        assertThatThrownBy(() -> CoordinatorSettings.of("", "a")).hasMessageContaining("redisUrl");
        assertThatThrownBy(() -> CoordinatorSettings.of("redis://x", "")).hasMessageContaining("nodeId");
        assertThatThrownBy(() -> CoordinatorSettings.of("redis://x", "a").withHeartbeat(
                java.time.Duration.ofSeconds(2), java.time.Duration.ofSeconds(2))).hasMessageContaining("nodeTtl");
    }
}
