package io.miaobu.api.cert;

import io.miaobu.api.ExtensionException;
import io.miaobu.api.MiaobuExtension;

/**
 * Issues and renews certificates (ACME, or another CA). Called by the host's renewal scheduler and by request threads;
 * the host never runs two orders for the same domain at once. Account keys and other state the issuer needs belong in
 * {@link io.miaobu.api.host.HostInfo#dataDirectory()} or its settings.
 */
public interface CertificateIssuer extends MiaobuExtension {

    /**
     * Orders a certificate, solving the challenges through the solvers in the order.
     *
     * @throws ExtensionException   when the CA refuses, with the CA's detail in words
     * @throws InterruptedException when cancelled
     */
    CertificateBundle issue(CertificateOrder order) throws InterruptedException;
}
