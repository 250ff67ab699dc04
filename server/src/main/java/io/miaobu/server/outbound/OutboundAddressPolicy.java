package io.miaobu.server.outbound;

import io.miaobu.server.http.AddressRanges;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;

/**
 * Which addresses outgoing requests to user-supplied URLs (webhooks) may connect to: every public address, and of the
 * internal ones (loopback, private networks, link-local incl. the cloud metadata address {@code 169.254.169.254},
 * carrier-grade NAT, unique-local IPv6, multicast, reserved) only those the admin lists in
 * {@code outbound.allowed.networks}. IPv6 forms that embed an IPv4 address (mapped, NAT64, 6to4) are judged by that
 * address. Immutable and thread-safe.
 */
public final class OutboundAddressPolicy {

    private record Blocked(AddressRanges ranges, String what) {
    }

    private static final List<Blocked> BLOCKED = List.of(
            new Blocked(AddressRanges.parse("127.0.0.0/8, ::1/128"), "a loopback address"),
            new Blocked(AddressRanges.parse("0.0.0.0/8, ::/128"), "an unspecified address"),
            new Blocked(AddressRanges.parse("10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16"), "a private address"),
            new Blocked(AddressRanges.parse("169.254.0.0/16, fe80::/10"),
                    "a link-local address (where cloud metadata services live)"),
            new Blocked(AddressRanges.parse("100.64.0.0/10"), "a carrier-grade NAT address"),
            new Blocked(AddressRanges.parse("fc00::/7, fec0::/10"), "a unique-local IPv6 address"),
            new Blocked(AddressRanges.parse("224.0.0.0/4, ff00::/8"), "a multicast address"),
            new Blocked(AddressRanges.parse("192.0.0.0/24, 192.0.2.0/24, 198.18.0.0/15, 198.51.100.0/24,"
                    + " 203.0.113.0/24, 240.0.0.0/4, 2001:db8::/32, 100::/64"), "a reserved address"));

    private final AddressRanges allowed;

    /** @param allowed internal addresses that may be reached after all ({@code outbound.allowed.networks}) */
    public OutboundAddressPolicy(AddressRanges allowed) {
        this.allowed = allowed;
    }

    /** Refuses every internal address. */
    public static OutboundAddressPolicy publicOnly() {
        return new OutboundAddressPolicy(AddressRanges.none());
    }

    /** Why {@code address} may not be called ("a loopback address"), or empty when it may. */
    public Optional<String> refusal(InetAddress address) {
        if (allowed.contains(address)) {
            return Optional.empty();
        }
        InetAddress judged = embeddedIpv4(address).orElse(address);
        if (judged != address && allowed.contains(judged)) {
            return Optional.empty();
        }
        for (Blocked blocked : BLOCKED) {
            if (blocked.ranges().contains(judged)) {
                return Optional.of(blocked.what());
            }
        }
        return Optional.empty();
    }

    /** The IPv4 address inside an IPv4-compatible, NAT64 ({@code 64:ff9b::/96}) or 6to4 ({@code 2002::/16}) one. */
    static Optional<InetAddress> embeddedIpv4(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return Optional.empty();
        }
        byte[] b = address.getAddress();
        byte[] v4 = null;
        if (b[0] == 0x20 && b[1] == 0x02) {
            v4 = new byte[] {b[2], b[3], b[4], b[5]};
        } else if (b[0] == 0 && b[1] == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b && zeros(b, 4, 12)) {
            v4 = new byte[] {b[12], b[13], b[14], b[15]};
        } else if (zeros(b, 0, 12) && !(b[12] == 0 && b[13] == 0 && b[14] == 0 && (b[15] == 0 || b[15] == 1))) {
            v4 = new byte[] {b[12], b[13], b[14], b[15]};
        } else if (zeros(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
            // ::ffff:a.b.c.d normally arrives as an Inet4Address already; kept for addresses built by hand
            v4 = new byte[] {b[12], b[13], b[14], b[15]};
        }
        if (v4 == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByAddress(v4));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    private static boolean zeros(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
