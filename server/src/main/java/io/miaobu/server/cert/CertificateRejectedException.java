package io.miaobu.server.cert;

/** TEMPORARY stand-in until the PEM validation lands. */
public final class CertificateRejectedException extends RuntimeException {
    public CertificateRejectedException(String message) {
        super(message);
    }
}
