package io.tickwire.bench.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class AdmissionSettingsTest {

    @Test
    void theLastLoggedStartWins() {
        List<String> log = List.of(
                "02:19:10.535 INFO  [main] i.t.gateway.cli.Main - effective configuration:",
                "server.max-connections: 100000",
                "server.handshakes-per-second: 2000",
                "server.handshake-burst: 2000",
                "02:29:10.535 INFO  [main] i.t.gateway.cli.Main - effective configuration:",
                "server.max-connections: 100000",
                "server.max-connections-per-user: 50",
                "server.handshakes-per-second: 5000",
                "server.handshake-burst: 5000",
                "server.address-handshakes-per-second: 100",
                "server.address-handshake-burst: 500");
        assertThat(AdmissionSettings.fromLog(log)).isEqualTo("handshakes-per-second=5000 handshake-burst=5000"
                + " address-handshakes-per-second=100 address-handshake-burst=500 max-connections=100000"
                + " max-connections-per-user=50");
    }

    @Test
    void fromTheEnvironmentAKeyNotSetSaysSo() {
        String environ = "PATH=/usr/bin\0TICKWIRE_SERVER_HANDSHAKES_PER_SECOND=3000\0TICKWIRE_SERVER_ADDRESS_HANDSHAKE_BURST=2000\0";
        assertThat(AdmissionSettings.fromEnvironment(environ)).isEqualTo("handshakes-per-second=3000 handshake-burst=unset"
                + " address-handshakes-per-second=unset address-handshake-burst=2000 max-connections=unset"
                + " max-connections-per-user=unset");
    }
}
