/** Issuing TLS certificates: {@link io.miaobu.api.cert.CertificateIssuer} and the challenge hooks the host provides. */
package io.miaobu.api.cert;
