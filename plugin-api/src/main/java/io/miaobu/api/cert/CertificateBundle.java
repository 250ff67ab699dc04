package io.miaobu.api.cert;

import io.miaobu.api.Secret;
import java.time.Instant;
import java.util.List;

/**
 * A certificate with its key.
 *
 * @param domains          the names it covers
 * @param certificatePem   the leaf certificate followed by its chain, PEM
 * @param privateKeyPem    the private key, PEM
 * @param notBefore        start of validity
 * @param notAfter         end of validity
 */
public record CertificateBundle(List<String> domains, String certificatePem, Secret privateKeyPem, Instant notBefore,
                                Instant notAfter) {

    public CertificateBundle {
        domains = List.copyOf(domains);
    }
}
