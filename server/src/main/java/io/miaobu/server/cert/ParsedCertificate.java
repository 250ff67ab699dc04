package io.miaobu.server.cert;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A certificate with its chain and private key, and what a page or the TLS server needs to know about it. Made by
 * {@link UploadedCertificates#validate} from what a user uploaded, or by {@link #fromPem} from PEM this server stored.
 *
 * @param leaf              the certificate for the site
 * @param chain             the leaf first, then each certificate's issuer; the root may be absent
 * @param key               the leaf's private key
 * @param dnsNames          the names the leaf covers: its SAN DNS names, or its subject CN when it has no SANs
 * @param notBefore         start of the leaf's validity
 * @param notAfter          end of the leaf's validity
 * @param issuer            the leaf's issuer by its short name (CN, else O), such as "R3"
 * @param serial            the leaf's serial number, upper-case hex as openssl prints it
 * @param sha256Fingerprint SHA-256 of the leaf's DER, upper-case hex pairs joined by colons, as browsers show it
 */
public record ParsedCertificate(X509Certificate leaf, List<X509Certificate> chain, PrivateKey key,
                                List<String> dnsNames, Instant notBefore, Instant notAfter, String issuer,
                                String serial, String sha256Fingerprint) {

    public ParsedCertificate {
        chain = List.copyOf(chain);
        dnsNames = List.copyOf(dnsNames);
        Objects.requireNonNull(key, "key");
        if (chain.isEmpty() || !chain.get(0).equals(leaf)) {
            throw new IllegalArgumentException("The chain must begin with the leaf");
        }
    }

    /** The facts of {@code chain} (leaf first, as given) and {@code key}, without checking that they fit. */
    public static ParsedCertificate of(List<X509Certificate> chain, PrivateKey key) {
        X509Certificate leaf = chain.get(0);
        return new ParsedCertificate(leaf, chain, key, CertificateNames.dnsNames(leaf),
                leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant(),
                CertificateNames.shortName(leaf.getIssuerX500Principal()), CertificateNames.serial(leaf),
                fingerprint(leaf));
    }

    /**
     * Reads back a chain and key this server wrote (an ACME certificate, or an upload validated before): trusts the
     * order and does not check names, dates or the key again.
     *
     * @throws CertificateRejectedException when either is not the PEM it should be
     */
    public static ParsedCertificate fromPem(String chainPem, String keyPem) {
        return of(CertificatePems.parseChain(chainPem), CertificatePems.parseKey(keyPem));
    }

    /**
     * Whether a browser visiting {@code host} accepts this certificate's names: an exact match, or a wildcard
     * {@code *.example.com} standing for exactly one label ({@code www.example.com}, but neither
     * {@code example.com} nor {@code a.b.example.com}). Case does not matter; {@code host} is an ASCII (punycode)
     * host name, as {@code DomainNames} gives it.
     */
    public boolean covers(String host) {
        String wanted = host.toLowerCase(Locale.ROOT);
        if (wanted.endsWith(".")) {
            wanted = wanted.substring(0, wanted.length() - 1);
        }
        int firstDot = wanted.indexOf('.');
        String parent = firstDot > 0 ? wanted.substring(firstDot + 1) : null;
        for (String name : dnsNames) {
            String candidate = name.toLowerCase(Locale.ROOT);
            if (candidate.equals(wanted)
                    || candidate.startsWith("*.") && parent != null && candidate.substring(2).equals(parent)) {
                return true;
            }
        }
        return false;
    }

    /**
     * One line fit for a log: the generated {@code toString} would print every certificate in full, and the key as
     * its provider chooses, which is not ours to trust.
     */
    @Override
    public String toString() {
        return "ParsedCertificate[dnsNames=" + dnsNames + ", notBefore=" + notBefore + ", notAfter=" + notAfter
                + ", issuer=" + issuer + ", serial=" + serial + ", sha256Fingerprint=" + sha256Fingerprint
                + ", chain=" + chain.size() + " certificates, key=" + key.getAlgorithm() + "]";
    }

    private static String fingerprint(X509Certificate certificate) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("SHA-256 of a certificate the JDK parsed", e);
        }
    }
}
