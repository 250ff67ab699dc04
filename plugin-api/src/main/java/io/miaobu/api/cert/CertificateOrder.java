package io.miaobu.api.cert;

import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.host.TaskLog;
import java.util.List;

/**
 * A request for a certificate.
 *
 * @param domains        the names, first one the primary; a wildcard needs {@code dns01}
 * @param http01         the host's HTTP-01 solver, or {@code null} when the domains are not served by the host
 * @param dns01          a DNS-01 solver, or {@code null} when no {@code DnsProvider} is configured for the domains
 * @param globalSettings the issuer's server-wide settings
 * @param log            where to report progress and the CA's error detail
 */
public record CertificateOrder(List<String> domains, Http01Solver http01, Dns01Solver dns01,
                               ConfigValues globalSettings, TaskLog log) {

    public CertificateOrder {
        domains = List.copyOf(domains);
    }
}
