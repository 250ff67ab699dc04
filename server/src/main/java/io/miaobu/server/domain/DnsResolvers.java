package io.miaobu.server.domain;

import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.Address;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SimpleResolver;

/** Builds the resolver domain checks ask, from {@code dns.resolvers}: {@code host[:port]} entries, IPv6 in brackets. */
public final class DnsResolvers {

    private DnsResolvers() {
    }

    /**
     * @param servers resolver addresses; empty for the system's own (resolv.conf)
     * @throws IllegalArgumentException for an entry that is not an IP address with an optional port
     */
    public static Resolver of(List<String> servers, Duration timeout) {
        ExtendedResolver resolver;
        if (servers.isEmpty()) {
            resolver = new ExtendedResolver();
        } else {
            var resolvers = new ArrayList<Resolver>();
            for (String server : servers) {
                resolvers.add(new SimpleResolver(address(server.trim())));
            }
            resolver = new ExtendedResolver(resolvers);
        }
        resolver.setTimeout(timeout);
        return resolver;
    }

    /** @throws IllegalArgumentException for anything but an IP address with an optional port */
    public static InetSocketAddress address(String server) {
        String host = server;
        int port = 53;
        if (server.startsWith("[")) {
            int close = server.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("Bad DNS resolver address " + server);
            }
            host = server.substring(1, close);
            if (server.length() > close + 1) {
                port = port(server, server.substring(close + 1));
            }
        } else if (server.indexOf(':') >= 0 && server.indexOf(':') == server.lastIndexOf(':')) {
            host = server.substring(0, server.indexOf(':'));
            port = port(server, server.substring(server.indexOf(':')));
        }
        try {
            // a literal only: a resolver named by a host name would need a resolver first
            return new InetSocketAddress(Address.getByAddress(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("A DNS resolver is given by IP address, not " + server, e);
        }
    }

    private static int port(String server, String colonPort) {
        try {
            int port = Integer.parseInt(colonPort.substring(1));
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("Bad port in DNS resolver address " + server);
        }
    }
}
