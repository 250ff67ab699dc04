package io.miaobu.server.http;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * A set of IP addresses and CIDR ranges, IPv4 and IPv6, e.g. {@code 127.0.0.1, 10.0.0.0/8, ::1, fd00::/8}: the reverse
 * proxies whose forwarding headers Miaobu believes ({@code trusted.proxies}), the internal networks outgoing requests
 * may reach after all ({@code outbound.allowed.networks}). Empty contains nothing. Parsed once at start-up from
 * configuration; immutable and thread-safe. Entries must be IP literals: host names are refused, as resolving them
 * would make the set depend on DNS.
 */
public final class AddressRanges {

    private final List<Range> ranges;

    private AddressRanges(List<Range> ranges) {
        this.ranges = List.copyOf(ranges);
    }

    /** The empty set (as trusted proxies: nobody, so every request keeps its socket's address, scheme and host). */
    public static AddressRanges none() {
        return new AddressRanges(List.of());
    }

    /**
     * Parses a comma-separated list; blank trusts nobody.
     *
     * @throws IllegalArgumentException naming the entry that is not an IP address or CIDR range: a host name, an
     *                                  empty entry, a prefix too long for the address, or host bits set after the
     *                                  prefix ({@code 10.0.0.1/8})
     */
    public static AddressRanges parse(String list) {
        if (list == null || list.isBlank()) {
            return none();
        }
        var ranges = new ArrayList<Range>();
        for (String entry : list.split(",", -1)) {
            ranges.add(Range.parse(entry.strip()));
        }
        return new AddressRanges(ranges);
    }

    /** Whether {@code address} is in the set. */
    public boolean contains(InetAddress address) {
        byte[] bytes = address.getAddress();
        for (Range range : ranges) {
            if (range.contains(bytes)) {
                return true;
            }
        }
        return false;
    }

    public boolean isEmpty() {
        return ranges.isEmpty();
    }

    @Override
    public String toString() {
        return String.join(", ", ranges.stream().map(Range::toString).toList());
    }

    /**
     * Parses an IP literal without any name lookup: four decimal octets (no leading zeros), or IPv6 text without
     * brackets or zone.
     *
     * @throws IllegalArgumentException when {@code text} is anything else
     */
    static InetAddress literal(String text) {
        if (text.indexOf(':') >= 0) {
            if (!text.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
                throw new IllegalArgumentException("'" + text + "' is not an IP address");
            }
            try {
                // A literal containing ':' is parsed, never looked up.
                return InetAddress.getByName(text);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("'" + text + "' is not an IP address", e);
            }
        }
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address");
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            String part = parts[i];
            if (part.isEmpty() || part.length() > 3 || (part.length() > 1 && part.charAt(0) == '0')
                    || !part.chars().allMatch(c -> c >= '0' && c <= '9') || Integer.parseInt(part) > 255) {
                throw new IllegalArgumentException("'" + text + "' is not an IP address");
            }
            bytes[i] = (byte) Integer.parseInt(part);
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private record Range(String text, byte[] network, int prefix) {

        static Range parse(String entry) {
            if (entry.isEmpty()) {
                throw new IllegalArgumentException("Empty entry in the trusted proxies list (a stray comma?)");
            }
            int slash = entry.indexOf('/');
            String addressText = slash < 0 ? entry : entry.substring(0, slash);
            InetAddress address;
            try {
                address = literal(addressText);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Trusted proxy '" + entry + "' is not an IP address or CIDR range"
                        + " like 10.0.0.0/8 or fd00::/8", e);
            }
            byte[] network = address.getAddress();
            int bits = network.length * 8;
            int prefix = bits;
            if (slash >= 0) {
                String prefixText = entry.substring(slash + 1);
                if (prefixText.isEmpty() || prefixText.length() > 3
                        || !prefixText.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    throw new IllegalArgumentException("Trusted proxy '" + entry + "' has no valid prefix length after"
                            + " the '/'");
                }
                prefix = Integer.parseInt(prefixText);
                if (prefix > bits) {
                    throw new IllegalArgumentException("Trusted proxy '" + entry + "' has a prefix longer than "
                            + bits + " bits" + (address instanceof Inet4Address && addressText.contains(":")
                            ? " (an IPv4-mapped address counts as IPv4)" : ""));
                }
                if (hasBitsAfter(network, prefix)) {
                    throw new IllegalArgumentException("Trusted proxy '" + entry + "' has bits set after its "
                            + prefix + "-bit prefix; write the network address of the range");
                }
            }
            return new Range(entry, network, prefix);
        }

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            for (int i = 0; i < network.length; i++) {
                if (((address[i] ^ network[i]) & mask(prefix, i)) != 0) {
                    return false;
                }
            }
            return true;
        }

        private static boolean hasBitsAfter(byte[] network, int prefix) {
            for (int i = 0; i < network.length; i++) {
                if ((network[i] & ~mask(prefix, i) & 0xFF) != 0) {
                    return true;
                }
            }
            return false;
        }

        /** The bits of byte {@code index} that lie within the first {@code prefix} bits. */
        private static int mask(int prefix, int index) {
            int bits = Math.max(0, Math.min(8, prefix - index * 8));
            return (0xFF << (8 - bits)) & 0xFF;
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
