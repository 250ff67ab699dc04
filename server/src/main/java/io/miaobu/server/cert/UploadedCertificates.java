package io.miaobu.server.cert;

import io.miaobu.server.cert.CertificateRejectedException.Input;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAKey;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Checks a certificate chain and private key a user uploads for a custom domain before the server stores and serves
 * them: the key belongs to a certificate in the chain, that certificate is a site's (not a CA's), covers the host and
 * is valid now, the key is strong enough, and each certificate is signed by the next. Certificates pasted out of order
 * are put in order. The chain is not checked against any trust store, so a private CA's certificates are accepted;
 * the root may be left out, as may intermediates when the user only has the leaf.
 */
public final class UploadedCertificates {

    /** The shortest RSA modulus accepted, as CAs have required since 2014. */
    public static final int MIN_RSA_BITS = 2048;

    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
            .withZone(ZoneOffset.UTC);

    private UploadedCertificates() {
    }

    /**
     * @param chainPem the certificate and its intermediates (and root, if the user has it), PEM, in any order
     * @param keyPem   the certificate's private key, PEM
     * @param host     the custom domain the certificate is for, as {@code DomainNames} normalizes it
     * @param now      the time the certificate must be valid at
     * @return the certificate with its chain in order, leaf first
     * @throws CertificateRejectedException with a message for the user saying what to fix
     */
    public static ParsedCertificate validate(String chainPem, String keyPem, String host, Instant now) {
        List<X509Certificate> uploaded = new ArrayList<>(new LinkedHashSet<>(CertificatePems.parseChain(chainPem)));
        PrivateKey key = CertificatePems.parseKey(keyPem);
        X509Certificate leaf = leafFor(key, uploaded);
        if (leaf.getBasicConstraints() >= 0) {
            throw chainRejected("The certificate for " + CertificateNames.describe(leaf) + " is a CA certificate,"
                    + " which signs other certificates, not one for a website. Paste the certificate issued for "
                    + host + ", followed by its intermediate certificates.");
        }
        if (key instanceof RSAKey rsa && rsa.getModulus().bitLength() < MIN_RSA_BITS) {
            throw new CertificateRejectedException(Input.PRIVATE_KEY, "The private key is a "
                    + rsa.getModulus().bitLength() + "-bit RSA key, which is too weak: browsers require at least "
                    + MIN_RSA_BITS + " bits. Get a certificate for a new key of 2048 bits or more.");
        }
        ParsedCertificate parsed = ParsedCertificate.of(ordered(leaf, uploaded), key);
        if (!parsed.covers(host)) {
            throw chainRejected(parsed.dnsNames().isEmpty()
                    ? "The certificate names no domain; it does not cover " + host + "."
                    : "The certificate is for " + String.join(", ", parsed.dnsNames()) + "; it does not cover "
                    + host + ".");
        }
        if (now.isBefore(parsed.notBefore())) {
            throw chainRejected("The certificate is not valid before " + WHEN.format(parsed.notBefore()) + ".");
        }
        if (now.isAfter(parsed.notAfter())) {
            throw chainRejected("The certificate expired on " + WHEN.format(parsed.notAfter()) + ".");
        }
        return parsed;
    }

    /** The one certificate whose public key belongs to {@code key}: proven by a signature it verifies. */
    private static X509Certificate leafFor(PrivateKey key, List<X509Certificate> certificates) {
        byte[] challenge = new byte[32];
        new SecureRandom().nextBytes(challenge);
        String algorithm = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        byte[] signature;
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            signature = signer.sign();
        } catch (GeneralSecurityException e) {
            throw new CertificateRejectedException(Input.PRIVATE_KEY, "The private key cannot sign: it is damaged."
                    + " Paste the key that was made together with the certificate.");
        }
        List<X509Certificate> matching = new ArrayList<>();
        for (X509Certificate certificate : certificates) {
            if (certificate.getPublicKey().getAlgorithm().equals(key.getAlgorithm())
                    && verifies(algorithm, certificate, challenge, signature)) {
                matching.add(certificate);
            }
        }
        if (matching.isEmpty()) {
            X509Certificate likelyLeaf = certificates.stream().filter(c -> c.getBasicConstraints() < 0).findFirst()
                    .orElse(certificates.get(0));
            throw new CertificateRejectedException(Input.PRIVATE_KEY, "The private key does not belong to the"
                    + " certificate for " + CertificateNames.describe(likelyLeaf) + ". Paste the key that was made"
                    + " together with this certificate's signing request.");
        }
        if (matching.size() > 1) {
            throw chainRejected("The certificate chain holds " + matching.size() + " certificates for this private"
                    + " key (" + describeAll(matching) + "). Paste only the one to use, followed by its"
                    + " intermediate certificates.");
        }
        return matching.get(0);
    }

    private static boolean verifies(String algorithm, X509Certificate certificate, byte[] challenge,
                                    byte[] signature) {
        try {
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /**
     * The leaf, then its issuer, then that one's issuer, as far as the upload goes: up to a self-signed root, or to
     * a certificate whose issuer clients are expected to have.
     */
    private static List<X509Certificate> ordered(X509Certificate leaf, List<X509Certificate> uploaded) {
        List<X509Certificate> remaining = new ArrayList<>(uploaded);
        remaining.remove(leaf);
        List<X509Certificate> chain = new ArrayList<>(List.of(leaf));
        X509Certificate current = leaf;
        while (!remaining.isEmpty() && !selfSigned(current)) {
            X509Certificate subject = current;
            List<X509Certificate> named = remaining.stream()
                    .filter(c -> c.getSubjectX500Principal().equals(subject.getIssuerX500Principal())).toList();
            List<X509Certificate> issuers = named.stream().filter(c -> signedBy(subject, c)).toList();
            if (issuers.isEmpty() && !named.isEmpty()) {
                throw chainRejected("The certificate chain is broken: "
                        + CertificateNames.shortName(current.getIssuerX500Principal()) + " in the chain did not sign"
                        + " the certificate for " + CertificateNames.describe(current) + "; it is another"
                        + " certificate with the same name. Use the intermediate certificates your CA sent with"
                        + " this certificate.");
            }
            if (issuers.size() > 1) {
                throw chainRejected("The certificate chain holds " + issuers.size() + " certificates that could"
                        + " have issued the certificate for " + CertificateNames.describe(current) + ": "
                        + issuers.stream().map(c -> CertificateNames.describe(c) + " (serial "
                        + CertificateNames.serial(c) + ")").collect(Collectors.joining(", "))
                        + ". Keep only the one your CA sent with this certificate.");
            }
            if (issuers.isEmpty()) {
                break;
            }
            current = issuers.get(0);
            chain.add(current);
            remaining.remove(current);
        }
        if (!remaining.isEmpty()) {
            if (selfSigned(current)) {
                throw chainRejected("The certificate chain holds certificates that do not belong to it: "
                        + describeAll(remaining) + ". Paste only the certificate for the site and the"
                        + " certificates that issued it.");
            }
            throw chainRejected("The certificate chain is broken: the certificate for "
                    + CertificateNames.describe(current) + " was issued by "
                    + CertificateNames.shortName(current.getIssuerX500Principal()) + ", which is not in the chain,"
                    + " so " + describeAll(remaining) + (remaining.size() == 1 ? " does" : " do") + " not belong to"
                    + " it. Paste the certificate followed by"
                    + " the intermediate certificates that issued it.");
        }
        return chain;
    }

    private static boolean selfSigned(X509Certificate certificate) {
        return certificate.getSubjectX500Principal().equals(certificate.getIssuerX500Principal())
                && signedBy(certificate, certificate);
    }

    private static boolean signedBy(X509Certificate certificate, X509Certificate issuer) {
        try {
            certificate.verify(issuer.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static String describeAll(List<X509Certificate> certificates) {
        return certificates.stream().map(CertificateNames::describe).collect(Collectors.joining("; "));
    }

    private static CertificateRejectedException chainRejected(String message) {
        return new CertificateRejectedException(Input.CERTIFICATE_CHAIN, message);
    }
}
