package io.miaobu.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

class AddressRangesTest {

    private final AddressRanges proxies = AddressRanges.parse("127.0.0.1, 10.0.0.0/8, 192.168.4.0/22, ::1,"
            + " fd00::/8, 2001:db8:0:1::/64");

    @Test
    void matchesSingleAddresses() {
        assertThat(proxies.contains(ip("127.0.0.1"))).isTrue();
        assertThat(proxies.contains(ip("127.0.0.2"))).isFalse();
        assertThat(proxies.contains(ip("::1"))).isTrue();
        assertThat(proxies.contains(ip("::2"))).isFalse();
    }

    @Test
    void matchesIpv4RangesAtTheirEdges() {
        assertThat(proxies.contains(ip("10.0.0.0"))).isTrue();
        assertThat(proxies.contains(ip("10.255.255.255"))).isTrue();
        assertThat(proxies.contains(ip("11.0.0.0"))).isFalse();
        assertThat(proxies.contains(ip("9.255.255.255"))).isFalse();
        assertThat(proxies.contains(ip("192.168.4.0"))).isTrue();
        assertThat(proxies.contains(ip("192.168.7.255"))).isTrue();
        assertThat(proxies.contains(ip("192.168.8.0"))).isFalse();
        assertThat(proxies.contains(ip("192.168.3.255"))).isFalse();
    }

    @Test
    void matchesIpv6RangesAtTheirEdges() {
        assertThat(proxies.contains(ip("fd00::"))).isTrue();
        assertThat(proxies.contains(ip("fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"))).isTrue();
        assertThat(proxies.contains(ip("fe00::"))).isFalse();
        assertThat(proxies.contains(ip("fc00::1"))).isFalse();
        assertThat(proxies.contains(ip("2001:db8:0:1:ffff:ffff:ffff:ffff"))).isTrue();
        assertThat(proxies.contains(ip("2001:db8:0:2::"))).isFalse();
    }

    @Test
    void familiesDoNotMix() {
        AddressRanges everyV4 = AddressRanges.parse("0.0.0.0/0");
        assertThat(everyV4.contains(ip("203.0.113.9"))).isTrue();
        assertThat(everyV4.contains(ip("2001:db8::1"))).isFalse();
        AddressRanges everyV6 = AddressRanges.parse("::/0");
        assertThat(everyV6.contains(ip("2001:db8::1"))).isTrue();
        assertThat(everyV6.contains(ip("203.0.113.9"))).isFalse();
    }

    @Test
    void emptyTrustsNobody() {
        assertThat(AddressRanges.parse("").isEmpty()).isTrue();
        assertThat(AddressRanges.parse("  ").contains(ip("127.0.0.1"))).isFalse();
        assertThat(AddressRanges.parse(null).isEmpty()).isTrue();
        assertThat(AddressRanges.none().contains(ip("::1"))).isFalse();
    }

    @Test
    void refusesWhatIsNotAnAddressNamingTheEntry() {
        for (String bad : new String[] {"localhost", "proxy.example.com", "10.0.0", "10.0.0.0.1", "256.0.0.1",
                "010.0.0.1", "10.0.0.1/", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/8/8", "::1/129", "fe80::1%eth0",
                "[::1]", "1::2::3", "10.0.0.0/+8", "0x7f.0.0.1", "10.0.0.1 10.0.0.2"}) {
            assertThatThrownBy(() -> AddressRanges.parse("127.0.0.1, " + bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(bad);
        }
    }

    @Test
    void refusesRangesWithHostBitsAndStrayCommas() {
        assertThatThrownBy(() -> AddressRanges.parse("10.0.0.1/8"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("10.0.0.1/8");
        assertThatThrownBy(() -> AddressRanges.parse("fd00::1/8"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fd00::1/8");
        assertThatThrownBy(() -> AddressRanges.parse("127.0.0.1,,10.0.0.0/8"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Empty entry");
    }

    @Test
    void keepsTheConfiguredTextForLogs() {
        assertThat(proxies).hasToString("127.0.0.1, 10.0.0.0/8, 192.168.4.0/22, ::1, fd00::/8, 2001:db8:0:1::/64");
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
