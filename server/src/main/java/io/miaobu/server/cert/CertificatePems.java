package io.miaobu.server.cert;

import io.miaobu.server.cert.CertificateRejectedException.Input;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Null;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.RSAPrivateKey;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.util.io.pem.PemHeader;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

/**
 * PEM text to certificates and private keys, and back. Reads what users paste (a chain of {@code CERTIFICATE} blocks;
 * a key as PKCS#8 {@code PRIVATE KEY}, PKCS#1 {@code RSA PRIVATE KEY} or SEC1 {@code EC PRIVATE KEY}) and what this
 * server stored itself. Anything else is refused with a {@link CertificateRejectedException} saying what was expected
 * and, where there is one, the openssl command that makes it. Pure functions, safe on any thread.
 */
public final class CertificatePems {

    /** The most characters either input may have: a chain of a dozen RSA certificates is about 25,000. */
    public static final int MAX_CHARS = 64 * 1024;

    private static final Set<ASN1ObjectIdentifier> CURVES = Set.of(SECObjectIdentifiers.secp256r1,
            SECObjectIdentifiers.secp384r1, SECObjectIdentifiers.secp521r1);
    private static final Pattern BASE64_ONLY = Pattern.compile("[A-Za-z0-9+/=\\s]+");
    private static final Pattern BINARY = Pattern.compile("[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F\\uFFFD]");
    private static final byte[] NEWLINE = {'\n'};

    private CertificatePems() {
    }

    /**
     * The certificates in {@code pem}, in the order given; text around the blocks (such as openssl's "Bag
     * Attributes") is ignored.
     *
     * @throws CertificateRejectedException when there is no certificate, when the text holds anything but
     *                                      certificates (a private key, a signing request, a PKCS#7 bundle), or when
     *                                      it is not PEM
     */
    public static List<X509Certificate> parseChain(String pem) {
        List<X509Certificate> chain = new ArrayList<>();
        for (PemObject block : blocks(pem, Input.CERTIFICATE_CHAIN)) {
            String type = block.getType();
            if (type.equals("CERTIFICATE") || type.equals("X509 CERTIFICATE")) {
                chain.add(certificate(block, chain.size() + 1));
            } else if (type.endsWith("PRIVATE KEY")) {
                throw chainRejected("The certificate chain box holds a private key. Paste the key in the private key"
                        + " box, and here only certificates (-----BEGIN CERTIFICATE-----).");
            } else if (type.endsWith("CERTIFICATE REQUEST")) {
                throw chainRejected("The certificate chain box holds a certificate signing request (CSR), not a"
                        + " certificate. Paste the certificate your CA issued for it (-----BEGIN CERTIFICATE-----).");
            } else if (type.equals("PKCS7")) {
                throw chainRejected("The certificate chain is a PKCS#7 bundle (-----BEGIN PKCS7-----). Convert it"
                        + " with openssl pkcs7 -print_certs -in chain.p7b -out chain.pem and paste chain.pem.");
            } else {
                throw chainRejected("The certificate chain holds a -----BEGIN " + shortened(type) + "----- block;"
                        + " expected only certificates (-----BEGIN CERTIFICATE-----).");
            }
        }
        return List.copyOf(chain);
    }

    /**
     * The one RSA or EC private key in {@code pem} (PKCS#8, PKCS#1 or SEC1). An {@code EC PARAMETERS} block before
     * the key, as {@code openssl ecparam -genkey} writes it, is skipped.
     *
     * @throws CertificateRejectedException when there is not exactly one key, when the key is encrypted, is not RSA
     *                                      or EC (P-256, P-384, P-521), is damaged, or the text is not PEM
     */
    public static PrivateKey parseKey(String pem) {
        List<PemObject> keys = new ArrayList<>();
        for (PemObject block : blocks(pem, Input.PRIVATE_KEY)) {
            String type = block.getType();
            if (type.equals("EC PARAMETERS")) {
                continue;
            }
            if (type.endsWith("CERTIFICATE")) {
                throw keyRejected("The private key box holds a certificate. Paste it in the certificate chain box,"
                        + " and here only the private key (-----BEGIN PRIVATE KEY-----).");
            }
            if (type.endsWith("PUBLIC KEY")) {
                throw keyRejected("The private key box holds a public key. Paste the private key"
                        + " (-----BEGIN PRIVATE KEY-----) that was made together with the certificate.");
            }
            if (!type.endsWith("PRIVATE KEY")) {
                throw keyRejected("The private key box holds a -----BEGIN " + shortened(type) + "----- block;"
                        + " expected a private key (-----BEGIN PRIVATE KEY-----).");
            }
            keys.add(block);
        }
        if (keys.isEmpty()) {
            throw keyRejected("The private key box holds only EC parameters. Paste the private key"
                    + " (-----BEGIN EC PRIVATE KEY----- or -----BEGIN PRIVATE KEY-----) as well.");
        }
        if (keys.size() > 1) {
            throw keyRejected("The private key box holds " + keys.size() + " private keys. Paste only the one"
                    + " that belongs to the certificate.");
        }
        return privateKey(keys.get(0));
    }

    /** The key as a PKCS#8 {@code PRIVATE KEY} block. */
    public static String toPem(PrivateKey key) {
        if (!"PKCS#8".equals(key.getFormat())) {
            throw new IllegalArgumentException("A " + key.getAlgorithm() + " key in format " + key.getFormat()
                    + " cannot be written as PKCS#8");
        }
        return block("PRIVATE KEY", key.getEncoded());
    }

    /** The certificates as {@code CERTIFICATE} blocks, in the order given. */
    public static String toPem(List<X509Certificate> chain) {
        var pem = new StringBuilder();
        for (X509Certificate certificate : chain) {
            try {
                pem.append(block("CERTIFICATE", certificate.getEncoded()));
            } catch (CertificateEncodingException e) {
                throw new IllegalArgumentException("A certificate that cannot be encoded: " + e.getMessage(), e);
            }
        }
        return pem.toString();
    }

    private static String block(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, NEWLINE).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static List<PemObject> blocks(String text, Input input) {
        boolean chain = input == Input.CERTIFICATE_CHAIN;
        String what = chain ? "certificate chain" : "private key";
        String begin = chain ? "-----BEGIN CERTIFICATE-----" : "-----BEGIN PRIVATE KEY-----";
        if (text == null || text.isBlank()) {
            throw new CertificateRejectedException(input, "Paste the " + what + ": PEM text that begins with "
                    + begin + ".");
        }
        if (text.length() > MAX_CHARS) {
            throw new CertificateRejectedException(input, "The " + what + " is larger than 64 KiB. Paste only "
                    + (chain ? "the certificate and its intermediate certificates." : "the private key."));
        }
        List<PemObject> blocks = new ArrayList<>();
        // PemReader only sees a BEGIN line at the start of a line; pasted text is often indented
        String lines = text.lines().map(String::strip).collect(Collectors.joining("\n"));
        try (var reader = new PemReader(new StringReader(lines))) {
            for (PemObject block = reader.readPemObject(); block != null; block = reader.readPemObject()) {
                blocks.add(block);
            }
        } catch (IOException e) {
            throw new CertificateRejectedException(input, "The " + what + " is damaged: a -----BEGIN----- line"
                    + " has no matching -----END----- line, or the text between them is not intact. Paste the"
                    + " whole PEM text again.");
        }
        if (blocks.isEmpty()) {
            throw notPem(text, input, what, begin);
        }
        return blocks;
    }

    private static CertificateRejectedException notPem(String text, Input input, String what, String begin) {
        boolean chain = input == Input.CERTIFICATE_CHAIN;
        if (BINARY.matcher(text).find()) {
            return new CertificateRejectedException(input, "The " + what + " is binary (DER), not PEM text."
                    + (chain ? " Convert it with openssl x509 -inform der -in certificate.der -out certificate.pem"
                            + " and paste certificate.pem."
                            : " Convert it with openssl pkey -inform der -in key.der -out key.pem and paste key.pem."));
        }
        if (BASE64_ONLY.matcher(text).matches() && text.strip().length() >= 64) {
            return new CertificateRejectedException(input, "The " + what + " lacks its " + begin + " and "
                    + begin.replace("BEGIN", "END") + " lines. Paste the whole PEM text, including those lines.");
        }
        return new CertificateRejectedException(input, "The " + what + " is not PEM: expected text that begins"
                + " with " + begin + ".");
    }

    private static X509Certificate certificate(PemObject block, int position) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(block.getContent()));
        } catch (CertificateException e) {
            throw chainRejected("Certificate " + position + " in the chain cannot be read: its content is damaged."
                    + " Paste it again, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----.");
        }
    }

    private static PrivateKey privateKey(PemObject block) {
        String type = block.getType();
        if (type.equals("ENCRYPTED PRIVATE KEY") || encryptedTraditionalKey(block)) {
            throw keyRejected("The private key is protected by a passphrase. Remove it with"
                    + " openssl pkey -in key.pem -out plain.pem (openssl asks for the passphrase) and paste plain.pem.");
        }
        PrivateKeyInfo info;
        try {
            info = switch (type) {
                case "PRIVATE KEY" -> PrivateKeyInfo.getInstance(block.getContent());
                case "RSA PRIVATE KEY" -> new PrivateKeyInfo(
                        new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE),
                        RSAPrivateKey.getInstance(block.getContent()));
                case "EC PRIVATE KEY" -> {
                    ECPrivateKey key = ECPrivateKey.getInstance(block.getContent());
                    yield new PrivateKeyInfo(
                            new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, key.getParametersObject()),
                            key);
                }
                default -> throw keyRejected("The private key is a -----BEGIN " + shortened(type) + "----- block;"
                        + " expected -----BEGIN PRIVATE KEY-----, -----BEGIN RSA PRIVATE KEY----- or"
                        + " -----BEGIN EC PRIVATE KEY-----.");
            };
        } catch (IllegalArgumentException | IllegalStateException | IOException e) {
            // BouncyCastle's ASN.1 classes signal malformed DER with these
            throw damagedKey(type);
        }
        ASN1ObjectIdentifier algorithm = info.getPrivateKeyAlgorithm().getAlgorithm();
        if (algorithm.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
            ASN1Encodable curve = info.getPrivateKeyAlgorithm().getParameters();
            if (curve == null || curve instanceof ASN1Null) {
                throw keyRejected("The private key (-----BEGIN " + type + "-----) does not name its curve. Paste"
                        + " the key as openssl writes it, which names the curve.");
            }
            if (!(curve instanceof ASN1ObjectIdentifier named) || !CURVES.contains(named)) {
                String name = curve instanceof ASN1ObjectIdentifier named ? ECNamedCurveTable.getName(named) : null;
                throw keyRejected("The private key is an EC key on " + (name == null ? "a curve browsers do not"
                        + " support" : "the curve " + name) + ". Use an EC key on P-256 or P-384, or an RSA key.");
            }
        } else if (!algorithm.equals(PKCSObjectIdentifiers.rsaEncryption)) {
            throw notRsaOrEc();
        }
        try {
            return new JcaPEMKeyConverter().getPrivateKey(info);
        } catch (PEMException e) {
            throw damagedKey(type);
        }
    }

    private static boolean encryptedTraditionalKey(PemObject block) {
        for (Object header : block.getHeaders()) {
            if (header instanceof PemHeader pemHeader && pemHeader.getName().equalsIgnoreCase("Proc-Type")
                    && pemHeader.getValue().contains("ENCRYPTED")) {
                return true;
            }
        }
        return false;
    }

    private static CertificateRejectedException notRsaOrEc() {
        return keyRejected("The private key is neither an RSA nor an EC key. Use an RSA key, or an EC key on"
                + " P-256 or P-384: those are the keys browsers accept for TLS.");
    }

    private static CertificateRejectedException damagedKey(String type) {
        return keyRejected("The private key (-----BEGIN " + type + "-----) cannot be read: its content is damaged."
                + " Paste it again, from the -----BEGIN----- line to the -----END----- line.");
    }

    private static String shortened(String type) {
        return type.length() <= 40 ? type : type.substring(0, 40) + "…";
    }

    private static CertificateRejectedException chainRejected(String message) {
        return new CertificateRejectedException(Input.CERTIFICATE_CHAIN, message);
    }

    private static CertificateRejectedException keyRejected(String message) {
        return new CertificateRejectedException(Input.PRIVATE_KEY, message);
    }
}
