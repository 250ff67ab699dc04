package io.miaobu.server.cert;

import java.time.Instant;

/** TEMPORARY stand-in until the PEM validation lands. */
public final class UploadedCertificates {

    private UploadedCertificates() {
    }

    public static ParsedCertificate validate(String chainPem, String keyPem, String host, Instant now) {
        var chain = CertificatePems.parseChain(chainPem);
        var key = CertificatePems.parseKey(keyPem);
        var leaf = chain.get(0);
        java.util.List<String> names = new java.util.ArrayList<>();
        try {
            if (leaf.getSubjectAlternativeNames() != null) {
                leaf.getSubjectAlternativeNames().forEach(san -> {
                    if ((Integer) san.get(0) == 2) {
                        names.add((String) san.get(1));
                    }
                });
            }
        } catch (java.security.cert.CertificateParsingException e) {
            throw new CertificateRejectedException(e.getMessage());
        }
        return new ParsedCertificate(leaf, chain, key, names, leaf.getNotBefore().toInstant(),
                leaf.getNotAfter().toInstant(), leaf.getIssuerX500Principal().getName(),
                leaf.getSerialNumber().toString(16), "");
    }
}
