package io.tickwire.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** CIDR parsing and matching for {@code server.trusted-proxies}. */
class AddressRangeTest {

    @Test
    void ipv4Ranges() {
        AddressRange r = AddressRange.parse("10.0.0.0/8");
        assertThat(r.contains(ip("10.0.0.1"))).isTrue();
        assertThat(r.contains(ip("10.255.255.255"))).isTrue();
        assertThat(r.contains(ip("11.0.0.0"))).isFalse();
        AddressRange odd = AddressRange.parse("192.168.4.0/22");
        assertThat(odd.contains(ip("192.168.7.255"))).isTrue();
        assertThat(odd.contains(ip("192.168.8.0"))).isFalse();
        assertThat(odd.contains(ip("192.168.3.255"))).isFalse();
        assertThat(AddressRange.parse("0.0.0.0/0").contains(ip("203.0.113.1"))).isTrue();
        assertThat(AddressRange.parse("0.0.0.0/0").contains(ip("2001:db8::1"))).as("other family").isFalse();
    }

    @Test
    void singleAddressesAreWholePrefixes() {
        assertThat(AddressRange.parse("127.0.0.1").contains(ip("127.0.0.1"))).isTrue();
        assertThat(AddressRange.parse("127.0.0.1").contains(ip("127.0.0.2"))).isFalse();
        assertThat(AddressRange.parse("::1").contains(ip("::1"))).isTrue();
        assertThat(AddressRange.parse("::1").contains(ip("::2"))).isFalse();
    }

    @Test
    void ipv6RangesAndMappedIpv4() {
        AddressRange r = AddressRange.parse("fd00::/8");
        assertThat(r.contains(ip("fd12:3456::1"))).isTrue();
        assertThat(r.contains(ip("fe80::1"))).isFalse();
        AddressRange net = AddressRange.parse("2001:db8:1::/48");
        assertThat(net.contains(ip("2001:db8:1:ffff::1"))).isTrue();
        assertThat(net.contains(ip("2001:db8:2::1"))).isFalse();
        assertThat(AddressRange.parse("::ffff:10.0.0.0/8").contains(ip("10.1.2.3")))
                .as("an IPv4-mapped range is its IPv4 range").isTrue();
        assertThat(AddressRange.parse("10.0.0.0/8").contains(ip("::ffff:10.1.2.3"))).isTrue();
    }

    @Test
    void badRangesSayWhatIsWrong() {
        assertThatThrownBy(() -> AddressRange.parse("10.0.0.0/33")).hasMessage("prefix length must be 0 to 32, got 33");
        assertThatThrownBy(() -> AddressRange.parse("::/129")).hasMessage("prefix length must be 0 to 128, got 129");
        assertThatThrownBy(() -> AddressRange.parse("10.0.0.0/")).hasMessageStartingWith("prefix length");
        assertThatThrownBy(() -> AddressRange.parse("10.1.2.3/8")).hasMessage("address has bits set beyond the /8 prefix");
        assertThatThrownBy(() -> AddressRange.parse("lb.internal/32")).hasMessage("not an IP address: lb.internal");
        assertThatThrownBy(() -> AddressRange.parse("10.0.0/8")).hasMessage("not an IP address: 10.0.0");
        assertThatThrownBy(() -> AddressRange.parse("")).hasMessage("cidr must not be empty");
    }

    @Test
    void literalsAreNeverLookedUp() {
        assertThat(AddressRange.parseLiteral("localhost")).isNull();
        assertThat(AddressRange.parseLiteral("203.0.113.5")).isEqualTo(ip("203.0.113.5"));
        assertThat(AddressRange.parseLiteral("::ffff:203.0.113.5")).isEqualTo(ip("203.0.113.5"));
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal); // literals only here: no lookup
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
