package io.miaobu.server.boot;

import java.time.Duration;
import java.util.Optional;

/**
 * How custom domains get their TLS certificates.
 *
 * @param automatic     whether an active domain gets a certificate without being asked (when this server terminates
 *                      TLS or the project is served by a CDN)
 * @param issuer        the {@code CertificateIssuer} to order from; empty: {@code acme}, or the only one installed
 * @param renewBefore   how long before expiry a certificate is renewed (less for short-lived ones: a third of their life)
 * @param retryDelay    the wait after a first failure; it doubles with every further failure…
 * @param maxRetryDelay …up to this
 * @param checkInterval how often the scheduler looks for due certificates
 */
public record CertificateConfig(boolean automatic, Optional<String> issuer, Duration renewBefore, Duration retryDelay,
                                Duration maxRetryDelay, Duration checkInterval) {

    public static CertificateConfig defaults() {
        return new CertificateConfig(true, Optional.empty(), Duration.ofDays(30), Duration.ofMinutes(10),
                Duration.ofHours(12), Duration.ofMinutes(5));
    }
}
