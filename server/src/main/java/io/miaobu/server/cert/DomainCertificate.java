package io.miaobu.server.cert;

import java.time.Instant;
import java.util.List;

/**
 * A custom domain's certificate and the state of getting the next one. The private key is not part of this view.
 *
 * @param certificatePem the leaf then its chain, PEM; {@code null} until one is issued or uploaded
 * @param names          the DNS names the certificate covers
 * @param issuedBy       the certificate's issuer in words (its CN or O)
 * @param renewAfter     when the scheduler acts next: renewal time, or the next retry after a failure
 * @param attempts       failed attempts since the last success
 * @param warnedDays     the smallest expiry warning (21, 7, 1 days) already sent for this certificate
 */
public record DomainCertificate(long id, long domainId, long projectId, String host, CertificateSource source,
                                String issuerId, CertificateStatus status, String certificatePem, List<String> names,
                                String issuedBy, String serial, Instant notBefore, Instant notAfter,
                                Instant issuedAt, Instant renewAfter, int attempts, Instant lastAttemptAt,
                                String lastError, Integer warnedDays, Instant cdnInstalledAt, String cdnError,
                                Instant updatedAt) {

    public DomainCertificate {
        names = names == null ? List.of() : List.copyOf(names);
    }

    /** Whether a certificate is stored. */
    public boolean present() {
        return certificatePem != null;
    }
}
