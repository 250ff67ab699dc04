package io.miaobu.server.tls;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A private key and the certificate chain it goes with, leaf first: what a TLS handshake presents for a host.
 * Construction checks that the key is an EC or RSA key and belongs to the leaf, so a mismatch is refused when it is
 * handed over rather than failing every handshake later.
 *
 * @param key   the leaf's private key
 * @param chain the leaf, then the intermediates towards (and optionally including) the root
 */
public record CertifiedKey(PrivateKey key, List<X509Certificate> chain) {

    public CertifiedKey {
        if (key == null) {
            throw new IllegalArgumentException("no private key");
        }
        if (chain == null || chain.isEmpty()) {
            throw new IllegalArgumentException("no certificate");
        }
        chain = List.copyOf(chain);
        if (!"EC".equals(key.getAlgorithm()) && !"RSA".equals(key.getAlgorithm())) {
            throw new IllegalArgumentException("the private key is " + key.getAlgorithm() + "; only EC and RSA keys"
                    + " are supported");
        }
        if (!belongTogether(key, chain.get(0).getPublicKey())) {
            throw new IllegalArgumentException("the private key does not belong to the certificate for "
                    + chain.get(0).getSubjectX500Principal().getName());
        }
    }

    /** The certificate presented to clients. */
    public X509Certificate leaf() {
        return chain.get(0);
    }

    /** Never the key: some providers' keys print their private parts. */
    @Override
    public String toString() {
        return "CertifiedKey[" + key.getAlgorithm() + ", " + leaf().getSubjectX500Principal().getName()
                + ", until " + leaf().getNotAfter().toInstant() + "]";
    }

    /** Signs a random message with the private key and checks it with the public one. */
    private static boolean belongTogether(PrivateKey key, PublicKey publicKey) {
        if (!key.getAlgorithm().equals(publicKey.getAlgorithm())) {
            return false;
        }
        String algorithm = "EC".equals(key.getAlgorithm()) ? "SHA256withECDSA" : "SHA256withRSA";
        byte[] message = new byte[32];
        new SecureRandom().nextBytes(message);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(message);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(message);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
