package io.miaobu.server.cert;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * Certificates for tests: a throw-away CA (a root, or an intermediate below another) and leaf certificates it signs,
 * with the names and validity a test asks for, as objects and as PEM. EC P-256 keys (fast to make);
 * {@link #rsaKeyPair()} for RSA cases.
 */
public final class TestCertificates {

    private final KeyPair caKeys;
    private final X509Certificate ca;
    /** The CA's own issuers, nearest first; empty for a root. */
    private final List<X509Certificate> above;
    /** The keys that signed {@link #ca}: its own for a root. */
    private final KeyPair signerKeys;

    private TestCertificates(KeyPair caKeys, X509Certificate ca, List<X509Certificate> above, KeyPair signerKeys) {
        this.caKeys = caKeys;
        this.ca = ca;
        this.above = List.copyOf(above);
        this.signerKeys = signerKeys;
    }

    /** A new root CA, valid from a day ago for ten years. */
    public static TestCertificates newAuthority(String name) {
        KeyPair keys = ecKeyPair();
        X500Principal subject = commonName(name);
        return new TestCertificates(keys, authorityCertificate(subject, keys.getPublic(), subject, keys), List.of(),
                keys);
    }

    /** A new intermediate CA named {@code name}, signed by this CA. */
    public TestCertificates intermediate(String name) {
        KeyPair keys = ecKeyPair();
        X509Certificate certificate = authorityCertificate(commonName(name), keys.getPublic(),
                ca.getSubjectX500Principal(), caKeys);
        return new TestCertificates(keys, certificate, chainAbove(), caKeys);
    }

    /**
     * This CA again: a new certificate (new serial) with the same name and key, signed by the same issuer, so either
     * one verifies what this CA signs.
     */
    public TestCertificates reissued() {
        X509Certificate certificate = authorityCertificate(ca.getSubjectX500Principal(), caKeys.getPublic(),
                ca.getIssuerX500Principal(), signerKeys);
        return new TestCertificates(caKeys, certificate, above, signerKeys);
    }

    /** The CA's own certificate (a trust anchor for clients, when this is a root). */
    public X509Certificate authority() {
        return ca;
    }

    /** The CA's certificate and key as if it were a leaf: its chain is the CA and its issuers. */
    public Issued asIssued() {
        return new Issued(ca, chainAbove(), caKeys.getPrivate());
    }

    /** A leaf certificate for {@code names} (DNS SANs; the first is also the CN) with its own new EC key. */
    public Issued issue(List<String> names, Instant notBefore, Instant notAfter) {
        return issue(names, notBefore, notAfter, ecKeyPair());
    }

    /** A leaf certificate for {@code names} with the given key. */
    public Issued issue(List<String> names, Instant notBefore, Instant notAfter, KeyPair keys) {
        return leaf(names.get(0), names, notBefore, notAfter, keys);
    }

    /**
     * A leaf certificate with a subject and no SANs, as certificates were before SANs were required.
     *
     * @param subject a distinguished name, such as {@code CN=www.example.com}
     */
    public Issued issueWithoutSubjectAlternativeNames(String subject, Instant notBefore, Instant notAfter) {
        return leaf(new X500Principal(subject), List.of(), notBefore, notAfter, ecKeyPair());
    }

    private Issued leaf(String commonName, List<String> names, Instant notBefore, Instant notAfter, KeyPair keys) {
        return leaf(commonName(commonName), names, notBefore, notAfter, keys);
    }

    private Issued leaf(X500Principal subject, List<String> names, Instant notBefore, Instant notAfter,
                        KeyPair keys) {
        var builder = new JcaX509v3CertificateBuilder(ca.getSubjectX500Principal(), serial(), Date.from(notBefore),
                Date.from(notAfter), subject, keys.getPublic());
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            if (!names.isEmpty()) {
                GeneralName[] sans = names.stream().map(n -> new GeneralName(GeneralName.dNSName, n))
                        .toArray(GeneralName[]::new);
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        X509Certificate leaf = sign(builder, caKeys.getPrivate());
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(leaf);
        chain.addAll(chainAbove());
        return new Issued(leaf, chain, keys.getPrivate());
    }

    private List<X509Certificate> chainAbove() {
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(ca);
        chain.addAll(above);
        return chain;
    }

    private static X509Certificate authorityCertificate(X500Principal subject, PublicKey key, X500Principal issuer,
                                                        KeyPair issuerKeys) {
        Instant now = Instant.now();
        var builder = new JcaX509v3CertificateBuilder(issuer, serial(), Date.from(now.minusSeconds(86_400)),
                Date.from(now.plusSeconds(10L * 365 * 86_400)), subject, key);
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true,
                    new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sign(builder, issuerKeys.getPrivate());
    }

    /**
     * A certificate with its key.
     *
     * @param chain the leaf, then the CAs above it up to the root
     */
    public record Issued(X509Certificate leaf, List<X509Certificate> chain, PrivateKey key) {

        /** The whole chain, leaf first, PEM. */
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

        /**
         * The private key in OpenSSL's traditional PEM: PKCS#1 {@code RSA PRIVATE KEY}, or SEC1 {@code EC PRIVATE KEY}
         * naming its curve as openssl writes it (BouncyCastle's writer copies the JDK's inner PKCS#8 structure, which
         * leaves the curve out: {@link #curvelessEcKeyPem()}).
         */
        public String traditionalKeyPem() {
            if (!(key instanceof ECPrivateKey ec)) {
                return write(key);
            }
            try {
                ASN1Encodable curve = PrivateKeyInfo.getInstance(key.getEncoded()).getPrivateKeyAlgorithm()
                        .getParameters();
                int bits = ec.getParams().getOrder().bitLength();
                var sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(bits, ec.getS(), curve);
                return write(new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** An EC key as BouncyCastle's {@link JcaPEMWriter} writes a JDK key: SEC1 without the curve. */
        public String curvelessEcKeyPem() {
            return write(key);
        }

        /** The private key as an encrypted PKCS#8 {@code ENCRYPTED PRIVATE KEY}. */
        public String encryptedKeyPem(String passphrase) {
            try {
                // the JDK has no AES/CBC/PKCS7Padding; a provider instance, not registered globally
                var encryptor = new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
                        .setProvider(new BouncyCastleProvider()).setPassword(passphrase.toCharArray()).build();
                return write(new JcaPKCS8Generator(key, encryptor));
            } catch (OperatorCreationException e) {
                throw new IllegalStateException(e);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The private key in traditional PEM with {@code Proc-Type: 4,ENCRYPTED}, as {@code openssl rsa -aes128}. */
        public String encryptedTraditionalKeyPem(String passphrase) {
            var out = new StringWriter();
            try (var writer = new JcaPEMWriter(out)) {
                writer.writeObject(key, new JcePEMEncryptorBuilder("AES-128-CBC")
                        .setProvider(new BouncyCastleProvider()).build(passphrase.toCharArray()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out.toString();
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
        return rsaKeyPair(2048);
    }

    public static KeyPair rsaKeyPair(int bits) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(bits, new SecureRandom());
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Objects (certificates, keys) as PEM, one after the other; keys as PKCS#8. */
    public static String pem(List<?> objects) {
        var out = new StringWriter();
        try (var writer = new JcaPEMWriter(out)) {
            for (Object object : objects) {
                writer.writeObject(object instanceof PrivateKey key ? new JcaPKCS8Generator(key, null) : object);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static String write(Object object) {
        var out = new StringWriter();
        try (var writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static BigInteger serial() {
        // random, as CAs make them (RFC 5280 allows up to 20 octets): unique without a shared counter
        return new BigInteger(63, new SecureRandom()).add(BigInteger.ONE);
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

    /** {@code CN=<name>} with any characters in the name (escaped as an X.500 name needs, so markup survives). */
    private static X500Principal commonName(String name) {
        try {
            return new X500Principal(new org.bouncycastle.asn1.x500.X500NameBuilder(
                    org.bouncycastle.asn1.x500.style.BCStyle.INSTANCE)
                    .addRDN(org.bouncycastle.asn1.x500.style.BCStyle.CN, name).build().getEncoded());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
