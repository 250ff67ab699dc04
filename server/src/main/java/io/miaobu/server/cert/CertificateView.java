package io.miaobu.server.cert;

import java.time.Instant;
import java.util.List;

/**
 * A domain's certificate as the API and the pages show it: never the key.
 *
 * @param status          {@code NONE} when none was ever requested, else a {@link CertificateStatus}
 * @param source          {@code ISSUED} (from the issuer, renewed automatically) or {@code UPLOADED}
 * @param nextAttemptAt   when the scheduler acts next (renewal, or the retry after a failure)
 * @param lastError       why the last attempt failed, in words; {@code null} when it worked
 * @param cdnError        why installing it on the CDN failed, if it did
 */
public record CertificateView(long domainId, String domain, long projectId, String status, String source,
                              String issuer, String issuedBy, List<String> names, String serial, Instant notBefore,
                              Instant notAfter, Instant issuedAt, Instant nextAttemptAt, int failedAttempts,
                              Instant lastAttemptAt, String lastError, Instant cdnInstalledAt, String cdnError) {

    static CertificateView of(DomainCertificate c) {
        return new CertificateView(c.domainId(), c.host(), c.projectId(), c.status().name(), c.source().name(),
                c.issuerId(), c.issuedBy(), c.names(), c.serial(), c.notBefore(), c.notAfter(), c.issuedAt(),
                c.source() == CertificateSource.UPLOADED ? null : c.renewAfter(), c.attempts(), c.lastAttemptAt(),
                c.lastError(), c.cdnInstalledAt(), c.cdnError());
    }

    static CertificateView none(long domainId, String domain, long projectId) {
        return new CertificateView(domainId, domain, projectId, "NONE", null, null, null, List.of(), null, null, null,
                null, null, 0, null, null, null, null);
    }
}
