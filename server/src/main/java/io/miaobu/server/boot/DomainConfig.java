package io.miaobu.server.boot;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How custom domains are checked.
 *
 * @param cnameTarget   the host every CNAME must point to (a CDN's, say); empty: the project's own site host
 *                      {@code <slug>.<sites domain>}
 * @param addresses     the server's public addresses, which an apex's A/AAAA records must point to; empty: apex
 *                      domains cannot be routed here (CNAME only)
 * @param dnsResolvers  the resolvers asked ({@code host[:port]}); empty: the system's
 * @param checkInterval how often every domain not yet active (and every active one) is checked again
 */
public record DomainConfig(Optional<String> cnameTarget, List<InetAddress> addresses, List<String> dnsResolvers,
                             Duration checkInterval) {

    public DomainConfig {
        addresses = List.copyOf(addresses);
        dnsResolvers = List.copyOf(dnsResolvers);
    }

    public static DomainConfig defaults() {
        return new DomainConfig(Optional.empty(), List.of(), List.of(), Duration.ofMinutes(10));
    }
}
