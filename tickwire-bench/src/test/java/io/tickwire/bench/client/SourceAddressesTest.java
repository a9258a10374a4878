package io.tickwire.bench.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class SourceAddressesTest {

    private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 8080);

    @Test
    void connectionsTakeTheAddressesInTurn() {
        SourceAddresses s = SourceAddresses.forTarget(LOOPBACK, 3);
        assertThat(s.forIndex(0).getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(s.forIndex(2).getAddress().getHostAddress()).isEqualTo("127.0.0.3");
        assertThat(s.forIndex(3).getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(s.forIndex(3).getPort()).isZero(); // the kernel picks the port
        assertThat(SourceAddresses.forTarget(LOOPBACK, 254).forIndex(253).getAddress().getHostAddress()).isEqualTo("127.0.0.254");
    }

    @Test
    void noneMeansTheKernelChooses() {
        assertThat(SourceAddresses.forTarget(new InetSocketAddress("192.0.2.1", 80), 0).forIndex(5)).isNull();
    }

    @Test
    void onlyLoopbackTargetsAndAtMost254() {
        assertThatThrownBy(() -> SourceAddresses.forTarget(new InetSocketAddress("192.0.2.1", 80), 8))
                .hasMessageContaining("loopback");
        assertThatThrownBy(() -> SourceAddresses.forTarget(LOOPBACK, 255)).hasMessageContaining("--source-ips");
    }
}
