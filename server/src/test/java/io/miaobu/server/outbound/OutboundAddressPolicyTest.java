package io.miaobu.server.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.miaobu.server.http.AddressRanges;
import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OutboundAddressPolicyTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "127.0.0.1        | a loopback address",
        "127.1.2.3        | a loopback address",
        "::1              | a loopback address",
        "0.0.0.0          | an unspecified address",
        "10.1.2.3         | a private address",
        "172.20.0.1       | a private address",
        "192.168.1.1      | a private address",
        "169.254.169.254  | a link-local address (where cloud metadata services live)",
        "fe80::1          | a link-local address (where cloud metadata services live)",
        "100.64.0.1       | a carrier-grade NAT address",
        "fd00::1          | a unique-local IPv6 address",
        "224.0.0.1        | a multicast address",
        "198.18.0.1       | a reserved address",
        "::ffff:127.0.0.1 | a loopback address",
        "64:ff9b::a00:1   | a private address",
        "2002:7f00:1::    | a loopback address",
        "::10.0.0.1       | a private address",
    })
    void internalAddressesAreRefusedWithWhatTheyAre(String address, String what) throws Exception {
        assertThat(OutboundAddressPolicy.publicOnly().refusal(InetAddress.getByName(address))).contains(what);
    }

    @ParameterizedTest
    @CsvSource({"8.8.8.8", "1.1.1.1", "172.32.0.1", "2606:4700:4700::1111", "2002:808:808::"})
    void publicAddressesMayBeCalled(String address) throws Exception {
        assertThat(OutboundAddressPolicy.publicOnly().refusal(InetAddress.getByName(address))).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"127.0.0.1", "10.9.8.7", "64:ff9b::7f00:1"})
    void theAdminsNetworksMayBeCalledAfterAll(String address) throws Exception {
        var policy = new OutboundAddressPolicy(AddressRanges.parse("127.0.0.0/8, 10.9.0.0/16"));

        assertThat(policy.refusal(InetAddress.getByName(address))).isEmpty();
        assertThat(policy.refusal(InetAddress.getByName("10.8.0.1"))).contains("a private address");
    }
}
