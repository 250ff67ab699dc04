package io.miaobu.server.cert;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/** TEMPORARY stand-in until the PEM validation lands. */
public record ParsedCertificate(X509Certificate leaf, List<X509Certificate> chain, PrivateKey key, List<String> names,
                                Instant notBefore, Instant notAfter, String issuer, String serial,
                                String fingerprint) {
}
