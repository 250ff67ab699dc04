package io.miaobu.server.cert;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates for tests: a throw-away CA and leaf certificates it signs, with the names and validity a test asks
 * for, as objects and as PEM. EC P-256 keys (fast to make); {@link #rsaKeyPair()} for RSA cases.
 */
public final class TestCertificates {

    private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());

    private final KeyPair caKeys;
    private final X509Certificate ca;

    private TestCertificates(KeyPair caKeys, X509Certificate ca) {
        this.caKeys = caKeys;
        this.ca = ca;
    }

    /** A new CA, valid from a day ago for ten years. */
    public static TestCertificates newAuthority(String name) {
        KeyPair keys = ecKeyPair();
        Instant now = Instant.now();
        X500Principal subject = new X500Principal("CN=" + name);
        var builder = new JcaX509v3CertificateBuilder(subject, serial(), java.util.Date.from(now.minusSeconds(86_400)),
                java.util.Date.from(now.plusSeconds(10L * 365 * 86_400)), subject, keys.getPublic());
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true,
                    new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
            return new TestCertificates(keys, sign(builder, keys.getPrivate()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The CA's own certificate (a trust anchor for clients). */
    public X509Certificate authority() {
        return ca;
    }

    /** A leaf certificate for {@code names} (DNS SANs; the first is also the CN) with its own new EC key. */
    public Issued issue(List<String> names, Instant notBefore, Instant notAfter) {
        return issue(names, notBefore, notAfter, ecKeyPair());
    }

    /** A leaf certificate for {@code names} with the given key. */
    public Issued issue(List<String> names, Instant notBefore, Instant notAfter, KeyPair keys) {
        var builder = new JcaX509v3CertificateBuilder(ca.getSubjectX500Principal(), serial(),
                java.util.Date.from(notBefore), java.util.Date.from(notAfter),
                new X500Principal("CN=" + names.get(0)), keys.getPublic());
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            GeneralName[] sans = names.stream().map(n -> new GeneralName(GeneralName.dNSName, n))
                    .toArray(GeneralName[]::new);
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans));
            X509Certificate leaf = sign(builder, caKeys.getPrivate());
            return new Issued(leaf, List.of(leaf, ca), keys.getPrivate());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A certificate with its key.
     *
     * @param chain the leaf, then the CA
     */
    public record Issued(X509Certificate leaf, List<X509Certificate> chain, PrivateKey key) {

        /** Leaf then CA, PEM. */
        public String chainPem() {
            return pem(new ArrayList<>(chain));
        }

        /** The leaf alone, PEM. */
        public String leafPem() {
            return pem(List.of(leaf));
        }

        /** The private key, PEM (PKCS#8 for EC and RSA keys). */
        public String keyPem() {
            return pem(List.of(key));
        }
    }

    public static KeyPair ecKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static KeyPair rsaKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048, new SecureRandom());
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Objects (certificates, keys) as PEM, one after the other. */
    public static String pem(List<?> objects) {
        var out = new StringWriter();
        try (var writer = new JcaPEMWriter(out)) {
            for (Object object : objects) {
                writer.writeObject(object instanceof PrivateKey key
                        ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null) : object);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static BigInteger serial() {
        return BigInteger.valueOf(SERIALS.incrementAndGet());
    }

    private static X509Certificate sign(JcaX509v3CertificateBuilder builder, PrivateKey key) {
        try {
            var signer = new JcaContentSignerBuilder(key.getAlgorithm().equals("EC") ? "SHA256withECDSA"
                    : "SHA256withRSA").build(key);
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (OperatorCreationException | java.security.cert.CertificateException e) {
            throw new IllegalStateException(e);
        }
    }
}
