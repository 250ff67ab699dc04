package io.miaobu.server.cert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.miaobu.server.cert.CertificateRejectedException.Input;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.junit.jupiter.api.Test;

class CertificatePemsTest {

    private static final Instant NOW = Instant.now();
    private static final Instant IN_90_DAYS = NOW.plusSeconds(90L * 86_400);

    private final TestCertificates root = TestCertificates.newAuthority("Test Root");
    private final TestCertificates intermediate = root.intermediate("Test Intermediate");

    @Test
    void readsTheCertificatesInTheOrderGiven() {
        var issued = intermediate.issue(List.of("www.example.com"), NOW, IN_90_DAYS);
        List<X509Certificate> reversed = List.of(issued.chain().get(2), issued.chain().get(1), issued.chain().get(0));

        assertThat(CertificatePems.parseChain(issued.chainPem())).containsExactlyElementsOf(issued.chain());
        assertThat(CertificatePems.parseChain(TestCertificates.pem(reversed))).containsExactlyElementsOf(reversed);
    }

    @Test
    void readsTextAroundTheBlocksIndentationAndWindowsLineEndings() {
        var issued = root.issue(List.of("www.example.com"), NOW, IN_90_DAYS);
        String pasted = "Bag Attributes\n    friendlyName: www.example.com\nsubject=CN = www.example.com\n"
                + issued.chainPem().lines().map(line -> "    " + line + "\r\n").reduce("", String::concat)
                + "\nthanks for your order\n";

        assertThat(CertificatePems.parseChain(pasted)).containsExactlyElementsOf(issued.chain());
    }

    @Test
    void readsPkcs8Keys() {
        var ec = root.issue(List.of("ec.example.com"), NOW, IN_90_DAYS);
        var rsa = root.issue(List.of("rsa.example.com"), NOW, IN_90_DAYS, TestCertificates.rsaKeyPair());

        assertThat(ec.keyPem()).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(CertificatePems.parseKey(ec.keyPem()).getEncoded()).isEqualTo(ec.key().getEncoded());
        assertThat(CertificatePems.parseKey(rsa.keyPem()).getEncoded()).isEqualTo(rsa.key().getEncoded());
    }

    @Test
    void readsPkcs1RsaKeys() {
        var rsa = root.issue(List.of("rsa.example.com"), NOW, IN_90_DAYS, TestCertificates.rsaKeyPair());
        String pem = rsa.traditionalKeyPem();

        assertThat(pem).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        PrivateKey key = CertificatePems.parseKey(pem);
        assertThat(key.getAlgorithm()).isEqualTo("RSA");
        assertThat(key.getEncoded()).isEqualTo(rsa.key().getEncoded());
    }

    @Test
    void readsSec1EcKeys() {
        var ec = root.issue(List.of("ec.example.com"), NOW, IN_90_DAYS);
        String pem = ec.traditionalKeyPem();

        assertThat(pem).startsWith("-----BEGIN EC PRIVATE KEY-----");
        PrivateKey key = CertificatePems.parseKey(pem);
        assertThat(key.getAlgorithm()).isEqualTo("EC");
        assertThat(((java.security.interfaces.ECPrivateKey) key).getS())
                .isEqualTo(((java.security.interfaces.ECPrivateKey) ec.key()).getS());
    }

    @Test
    void skipsTheEcParametersThatOpensslEcparamWritesBeforeTheKey() {
        var ec = root.issue(List.of("ec.example.com"), NOW, IN_90_DAYS);
        String prime256v1 = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n";

        PrivateKey key = CertificatePems.parseKey(prime256v1 + ec.traditionalKeyPem());

        assertThat(((java.security.interfaces.ECPrivateKey) key).getS())
                .isEqualTo(((java.security.interfaces.ECPrivateKey) ec.key()).getS());
    }

    @Test
    void rejectsSec1KeysThatDoNotNameTheirCurve() {
        var ec = root.issue(List.of("ec.example.com"), NOW, IN_90_DAYS);

        assertKeyRejected(() -> CertificatePems.parseKey(ec.curvelessEcKeyPem()), "The private key"
                + " (-----BEGIN EC PRIVATE KEY-----) does not name its curve. Paste the key as openssl writes it,"
                + " which names the curve.");
    }

    @Test
    void writesWhatItReadsBack() {
        var ec = intermediate.issue(List.of("ec.example.com"), NOW, IN_90_DAYS);
        var rsa = root.issue(List.of("rsa.example.com"), NOW, IN_90_DAYS, TestCertificates.rsaKeyPair());

        String chainPem = CertificatePems.toPem(ec.chain());
        assertThat(CertificatePems.parseChain(chainPem)).containsExactlyElementsOf(ec.chain());
        assertThat(CertificatePems.parseKey(CertificatePems.toPem(ec.key())).getEncoded())
                .isEqualTo(ec.key().getEncoded());
        assertThat(CertificatePems.parseKey(CertificatePems.toPem(rsa.key())).getEncoded())
                .isEqualTo(rsa.key().getEncoded());
    }

    @Test
    void writesStandardPem() {
        var issued = intermediate.issue(List.of("www.example.com"), NOW, IN_90_DAYS);

        String chainPem = CertificatePems.toPem(issued.chain());
        String keyPem = CertificatePems.toPem(issued.key());

        assertThat(chainPem).isEqualTo(issued.chainPem().replace("\r\n", "\n"));
        assertThat(keyPem).isEqualTo(issued.keyPem().replace("\r\n", "\n"));
        assertThat(keyPem).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("-----END PRIVATE KEY-----\n");
        assertThat(chainPem.lines()).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(64));
    }

    @Test
    void asksForTheCertificateChainWhenItIsEmpty() {
        String message = "Paste the certificate chain: PEM text that begins with -----BEGIN CERTIFICATE-----.";
        assertChainRejected(() -> CertificatePems.parseChain(null), message);
        assertChainRejected(() -> CertificatePems.parseChain(""), message);
        assertChainRejected(() -> CertificatePems.parseChain(" \n\t\n"), message);
    }

    @Test
    void asksForThePrivateKeyWhenItIsEmpty() {
        String message = "Paste the private key: PEM text that begins with -----BEGIN PRIVATE KEY-----.";
        assertKeyRejected(() -> CertificatePems.parseKey(null), message);
        assertKeyRejected(() -> CertificatePems.parseKey(""), message);
    }

    @Test
    void rejectsTextThatIsNotPem() {
        assertChainRejected(() -> CertificatePems.parseChain("my certificate, see attachment"),
                "The certificate chain is not PEM: expected text that begins with -----BEGIN CERTIFICATE-----.");
        assertKeyRejected(() -> CertificatePems.parseKey("hunter2"),
                "The private key is not PEM: expected text that begins with -----BEGIN PRIVATE KEY-----.");
    }

    @Test
    void rejectsBinaryDerWithTheCommandThatConvertsIt() throws Exception {
        var issued = root.issue(List.of("www.example.com"), NOW, IN_90_DAYS);
        String certificateAsLatin1 = new String(issued.leaf().getEncoded(), StandardCharsets.ISO_8859_1);
        String certificateAsUtf8 = new String(issued.leaf().getEncoded(), StandardCharsets.UTF_8);
        String keyAsLatin1 = new String(issued.key().getEncoded(), StandardCharsets.ISO_8859_1);

        String chainMessage = "The certificate chain is binary (DER), not PEM text. Convert it with openssl x509"
                + " -inform der -in certificate.der -out certificate.pem and paste certificate.pem.";
        assertChainRejected(() -> CertificatePems.parseChain(certificateAsLatin1), chainMessage);
        assertChainRejected(() -> CertificatePems.parseChain(certificateAsUtf8), chainMessage);
        assertKeyRejected(() -> CertificatePems.parseKey(keyAsLatin1), "The private key is binary (DER), not PEM"
                + " text. Convert it with openssl pkey -inform der -in key.der -out key.pem and paste key.pem.");
    }

    @Test
    void rejectsBase64WithoutTheBeginAndEndLines() throws Exception {
        var issued = root.issue(List.of("www.example.com"), NOW, IN_90_DAYS);
        String body = Base64.getMimeEncoder().encodeToString(issued.leaf().getEncoded());

        assertChainRejected(() -> CertificatePems.parseChain(body), "The certificate chain lacks its"
                + " -----BEGIN CERTIFICATE----- and -----END CERTIFICATE----- lines. Paste the whole PEM text,"
                + " including those lines.");
    }

    @Test
    void rejectsAPrivateKeyInTheCertificateChainWithoutRepeatingIt() {
        var issued = root.issue(List.of("www.example.com"), NOW, IN_90_DAYS);
        String keyBody = issued.keyPem().lines().skip(1).findFirst().orElseThrow();

        assertThatThrownBy(() -> CertificatePems.parseChain(issued.chainPem() + issued.keyPem()))
                .isInstanceOfSatisfying(CertificateRejectedException.class, e -> {
                    assertThat(e.input()).isEqualTo(Input.CERTIFICATE_CHAIN);
                    assertThat(e.getMessage()).isEqualTo("The certificate chain box holds a private key. Paste the"
                            + " key in the private key box, and here only certificates (-----BEGIN CERTIFICATE-----).");
                    assertThat(e.getMessage()).doesNotContain(keyBody);
                    assertThat(e.getStackTrace()).isEmpty();
                    assertThat(e.getCause()).isNull();
                });
        assertChainRejected(() -> CertificatePems.parseChain(issued.traditionalKeyPem()), "The certificate chain box"
                + " holds a private key. Paste the key in the private key box, and here only certificates"
                + " (-----BEGIN CERTIFICATE-----).");
    }

    @Test
    void rejectsACertificateInThePrivateKeyBox() {
        var issued = root.issue(List.of("www.example.com"), NOW, IN_90_DAYS);
        String message = "The private key box holds a certificate. Paste it in the certificate chain box, and here"
                + " only the private key (-----BEGIN PRIVATE KEY-----).";

        assertKeyRejected(() -> CertificatePems.parseKey(issued.leafPem()), message);
        assertKeyRejected(() -> CertificatePems.parseKey(issued.keyPem() + issued.leafPem()), message);
    }

    @Test
    void rejectsAPublicKeyInThePrivateKeyBox() {
        String publicKey = TestCertificates.pem(List.of(TestCertificates.ecKeyPair().getPublic()));

        assertKeyRejected(() -> CertificatePems.parseKey(publicKey), "The private key box holds a public key. Paste"
                + " the private key (-----BEGIN PRIVATE KEY-----) that was made together with the certificate.");
    }

    @Test
    void rejectsTwoPrivateKeys() {
        var first = root.issue(List.of("a.example.com"), NOW, IN_90_DAYS);
        var second = root.issue(List.of("b.example.com"), NOW, IN_90_DAYS);

        assertKeyRejected(() -> CertificatePems.parseKey(first.keyPem() + second.traditionalKeyPem()),
                "The private key box holds 2 private keys. Paste only the one that belongs to the certificate.");
    }

    @Test
    void rejectsSigningRequestsAndPkcs7BundlesInTheCertificateChain() {
        assertChainRejected(() -> CertificatePems.parseChain(block("CERTIFICATE REQUEST", "MAA=")),
                "The certificate chain box holds a certificate signing request (CSR), not a certificate. Paste the"
                        + " certificate your CA issued for it (-----BEGIN CERTIFICATE-----).");
        assertChainRejected(() -> CertificatePems.parseChain(block("PKCS7", "MAA=")),
                "The certificate chain is a PKCS#7 bundle (-----BEGIN PKCS7-----). Convert it with openssl pkcs7"
                        + " -print_certs -in chain.p7b -out chain.pem and paste chain.pem.");
        assertChainRejected(() -> CertificatePems.parseChain(block("X509 CRL", "MAA=")),
                "The certificate chain holds a -----BEGIN X509 CRL----- block; expected only certificates"
                        + " (-----BEGIN CERTIFICATE-----).");
    }

    @Test
    void rejectsEncryptedKeysWithTheCommandThatRemovesThePassphrase() {
        var ec = root.issue(List.of("ec.example.com"), NOW, IN_90_DAYS);
        var rsa = root.issue(List.of("rsa.example.com"), NOW, IN_90_DAYS, TestCertificates.rsaKeyPair());
        String message = "The private key is protected by a passphrase. Remove it with openssl pkey -in key.pem"
                + " -out plain.pem (openssl asks for the passphrase) and paste plain.pem.";

        assertThat(ec.encryptedKeyPem("secret")).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
        assertThat(rsa.encryptedTraditionalKeyPem("secret")).contains("Proc-Type: 4,ENCRYPTED");
        assertKeyRejected(() -> CertificatePems.parseKey(ec.encryptedKeyPem("secret")), message);
        assertKeyRejected(() -> CertificatePems.parseKey(rsa.encryptedTraditionalKeyPem("secret")), message);
    }

    @Test
    void rejectsKeysOtherThanRsaAndEc() throws GeneralSecurityException {
        PrivateKey ed25519 = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate();

        assertKeyRejected(() -> CertificatePems.parseKey(CertificatePems.toPem(ed25519)), "The private key is"
                + " neither an RSA nor an EC key. Use an RSA key, or an EC key on P-256 or P-384: those are the keys"
                + " browsers accept for TLS.");
        assertKeyRejected(() -> CertificatePems.parseKey(block("DSA PRIVATE KEY", "MAA=")), "The private key is a"
                + " -----BEGIN DSA PRIVATE KEY----- block; expected -----BEGIN PRIVATE KEY-----,"
                + " -----BEGIN RSA PRIVATE KEY----- or -----BEGIN EC PRIVATE KEY-----.");
    }

    @Test
    void rejectsEcKeysOnCurvesBrowsersDoNotSupport() throws Exception {
        byte[] secp256k1 = new ECPrivateKey(256, BigInteger.valueOf(123_456_789), SECObjectIdentifiers.secp256k1)
                .getEncoded();

        assertKeyRejected(() -> CertificatePems.parseKey(block("EC PRIVATE KEY", secp256k1)), "The private key is"
                + " an EC key on the curve secp256k1. Use an EC key on P-256 or P-384, or an RSA key.");
    }

    @Test
    void rejectsDamagedPem() {
        var issued = root.issue(List.of("www.example.com"), NOW, IN_90_DAYS);
        String pem = issued.leafPem();
        String withoutEnd = pem.substring(0, pem.indexOf("-----END"));
        String damagedBase64 = pem.replaceFirst("\n(.{10}).", "\n$1!");
        String message = "The certificate chain is damaged: a -----BEGIN----- line has no matching -----END-----"
                + " line, or the text between them is not intact. Paste the whole PEM text again.";

        assertChainRejected(() -> CertificatePems.parseChain(withoutEnd), message);
        assertChainRejected(() -> CertificatePems.parseChain(damagedBase64), message);
        assertKeyRejected(() -> CertificatePems.parseKey(issued.keyPem().replace("-----END PRIVATE KEY-----", "")),
                "The private key is damaged: a -----BEGIN----- line has no matching -----END----- line, or the text"
                        + " between them is not intact. Paste the whole PEM text again.");
    }

    @Test
    void rejectsBlocksWhoseContentIsNotACertificateOrKey() {
        var issued = root.issue(List.of("www.example.com"), NOW, IN_90_DAYS);

        assertChainRejected(() -> CertificatePems.parseChain(issued.leafPem() + block("CERTIFICATE", "MAA=")),
                "Certificate 2 in the chain cannot be read: its content is damaged. Paste it again, from"
                        + " -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----.");
        assertKeyRejected(() -> CertificatePems.parseKey(block("RSA PRIVATE KEY", "MAA=")), "The private key"
                + " (-----BEGIN RSA PRIVATE KEY-----) cannot be read: its content is damaged. Paste it again, from the"
                + " -----BEGIN----- line to the -----END----- line.");
        assertKeyRejected(() -> CertificatePems.parseKey(block("PRIVATE KEY", "AAAA")), "The private key"
                + " (-----BEGIN PRIVATE KEY-----) cannot be read: its content is damaged. Paste it again, from the"
                + " -----BEGIN----- line to the -----END----- line.");
    }

    @Test
    void rejectsInputsLargerThan64KiB() {
        var issued = root.issue(List.of("www.example.com"), NOW, IN_90_DAYS);
        String chain = issued.leafPem().repeat(CertificatePems.MAX_CHARS / issued.leafPem().length() + 1);
        String key = issued.keyPem() + " ".repeat(CertificatePems.MAX_CHARS);

        assertThat(CertificatePems.parseChain(chain.substring(0, chain.lastIndexOf("-----BEGIN")))).isNotEmpty();
        assertChainRejected(() -> CertificatePems.parseChain(chain), "The certificate chain is larger than 64 KiB."
                + " Paste only the certificate and its intermediate certificates.");
        assertKeyRejected(() -> CertificatePems.parseKey(key),
                "The private key is larger than 64 KiB. Paste only the private key.");
    }

    private static String block(String type, String base64) {
        return "-----BEGIN " + type + "-----\n" + base64 + "\n-----END " + type + "-----\n";
    }

    private static String block(String type, byte[] der) {
        return block(type, Base64.getMimeEncoder().encodeToString(der));
    }

    private static void assertChainRejected(ThrowingCallable parse, String message) {
        assertRejected(parse, Input.CERTIFICATE_CHAIN, message);
    }

    private static void assertKeyRejected(ThrowingCallable parse, String message) {
        assertRejected(parse, Input.PRIVATE_KEY, message);
    }

    private static void assertRejected(ThrowingCallable parse, Input input, String message) {
        assertThatThrownBy(parse).isInstanceOfSatisfying(CertificateRejectedException.class, e -> {
            assertThat(e.getMessage()).isEqualTo(message);
            assertThat(e.input()).isEqualTo(input);
        });
    }
}
