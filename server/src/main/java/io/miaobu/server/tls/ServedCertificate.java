package io.miaobu.server.tls;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/**
 * One certificate as the key manager hands it to a handshake: under an alias of its own (a replaced certificate's
 * alias is never reused), with the chain as the array JSSE wants and the expiry as a number to compare cheaply.
 */
final class ServedCertificate {

    private final String alias;
    private final CertifiedKey certified;
    private final X509Certificate[] chain;
    private final long notAfterMillis;

    ServedCertificate(String alias, CertifiedKey certified) {
        this.alias = alias;
        this.certified = certified;
        this.chain = certified.chain().toArray(X509Certificate[]::new);
        this.notAfterMillis = certified.leaf().getNotAfter().getTime();
    }

    String alias() {
        return alias;
    }

    PrivateKey key() {
        return certified.key();
    }

    /** The key's algorithm, {@code EC} or {@code RSA}: JSSE's key types for them. */
    String keyType() {
        return certified.key().getAlgorithm();
    }

    /** A copy: JSSE's callers may keep or change the array. */
    X509Certificate[] chain() {
        return chain.clone();
    }

    X509Certificate leaf() {
        return chain[0];
    }

    boolean expiredAt(long millis) {
        return millis > notAfterMillis;
    }

    @Override
    public String toString() {
        return alias + ": " + certified;
    }
}
