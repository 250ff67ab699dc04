package io.miaobu.server.cert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.miaobu.server.cert.CertificateRejectedException.Input;
import io.miaobu.server.cert.TestCertificates.Issued;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class UploadedCertificatesTest {

    private static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");
    private static final Instant DAY_AGO = NOW.minusSeconds(86_400);
    private static final Instant IN_90_DAYS = NOW.plusSeconds(90L * 86_400);
    private static final String HOST = "www.example.com";

    private final TestCertificates root = TestCertificates.newAuthority("Test Root");
    private final TestCertificates intermediate = root.intermediate("Test Intermediate");

    @Test
    void acceptsAnEcCertificateWithItsChainAndPkcs8Key() {
        Issued issued = intermediate.issue(List.of(HOST, "example.com"), DAY_AGO, IN_90_DAYS);

        ParsedCertificate parsed = UploadedCertificates.validate(issued.chainPem(), issued.keyPem(), HOST, NOW);

        assertThat(parsed.leaf()).isEqualTo(issued.leaf());
        assertThat(parsed.chain()).containsExactlyElementsOf(issued.chain());
        assertThat(parsed.key().getEncoded()).isEqualTo(issued.key().getEncoded());
        assertThat(parsed.dnsNames()).containsExactly(HOST, "example.com");
        assertThat(parsed.issuer()).isEqualTo("Test Intermediate");
    }

    @Test
    void acceptsAnEcKeyInSec1() {
        Issued issued = intermediate.issue(List.of(HOST), DAY_AGO, IN_90_DAYS);

        ParsedCertificate parsed = UploadedCertificates.validate(issued.chainPem(), issued.traditionalKeyPem(), HOST,
                NOW);

        assertThat(parsed.leaf()).isEqualTo(issued.leaf());
        assertThat(parsed.key().getAlgorithm()).isEqualTo("EC");
    }

    @Test
    void acceptsAnRsaKeyInPkcs8AndPkcs1() {
        Issued issued = intermediate.issue(List.of(HOST), DAY_AGO, IN_90_DAYS, TestCertificates.rsaKeyPair());

        ParsedCertificate pkcs8 = UploadedCertificates.validate(issued.chainPem(), issued.keyPem(), HOST, NOW);
        ParsedCertificate pkcs1 = UploadedCertificates.validate(issued.chainPem(), issued.traditionalKeyPem(), HOST,
                NOW);

        assertThat(issued.traditionalKeyPem()).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertThat(pkcs8.leaf()).isEqualTo(issued.leaf());
        assertThat(pkcs1.leaf()).isEqualTo(issued.leaf());
        assertThat(pkcs1.key().getEncoded()).isEqualTo(issued.key().getEncoded());
    }

    @Test
    void acceptsTheLeafAloneAndTheChainWithoutItsRoot() {
        Issued issued = intermediate.issue(List.of(HOST), DAY_AGO, IN_90_DAYS);
        List<X509Certificate> withoutRoot = issued.chain().subList(0, 2);

        assertThat(UploadedCertificates.validate(issued.leafPem(), issued.keyPem(), HOST, NOW).chain())
                .containsExactly(issued.leaf());
        assertThat(UploadedCertificates.validate(TestCertificates.pem(withoutRoot), issued.keyPem(), HOST, NOW)
                .chain()).containsExactlyElementsOf(withoutRoot);
    }

    @Test
    void putsAShuffledChainInOrder() {
        Issued issued = intermediate.issue(List.of(HOST), DAY_AGO, IN_90_DAYS);
        X509Certificate leaf = issued.chain().get(0);
        X509Certificate middle = issued.chain().get(1);
        X509Certificate top = issued.chain().get(2);

        for (List<X509Certificate> shuffled : List.of(List.of(top, leaf, middle), List.of(middle, top, leaf),
                List.of(top, middle, leaf), List.of(middle, leaf))) {
            ParsedCertificate parsed = UploadedCertificates.validate(TestCertificates.pem(shuffled), issued.keyPem(),
                    HOST, NOW);
            assertThat(parsed.chain()).as("from %s", shuffled.stream().map(CertificateNames::describe).toList())
                    .containsExactlyElementsOf(issued.chain().subList(0, shuffled.size()));
        }
    }

    @Test
    void acceptsACertificatePastedTwice() {
        Issued issued = intermediate.issue(List.of(HOST), DAY_AGO, IN_90_DAYS);

        ParsedCertificate parsed = UploadedCertificates.validate(issued.chainPem() + issued.leafPem(),
                issued.keyPem(), HOST, NOW);

        assertThat(parsed.chain()).containsExactlyElementsOf(issued.chain());
    }

    @Test
    void acceptsAWildcardForOneLabelOnly() {
        Issued issued = intermediate.issue(List.of("*.example.com"), DAY_AGO, IN_90_DAYS);

        assertThat(UploadedCertificates.validate(issued.chainPem(), issued.keyPem(), HOST, NOW).covers(HOST))
                .isTrue();
        assertChainRejected(() -> UploadedCertificates.validate(issued.chainPem(), issued.keyPem(), "example.com",
                NOW), "The certificate is for *.example.com; it does not cover example.com.");
        assertChainRejected(() -> UploadedCertificates.validate(issued.chainPem(), issued.keyPem(),
                "a.www.example.com", NOW), "The certificate is for *.example.com; it does not cover a.www.example.com.");
    }

    @Test
    void acceptsACertificateWithoutSubjectAlternativeNamesByItsCommonName() {
        Issued issued = intermediate.issueWithoutSubjectAlternativeNames("CN=" + HOST, DAY_AGO, IN_90_DAYS);

        assertThat(UploadedCertificates.validate(issued.chainPem(), issued.keyPem(), HOST, NOW).dnsNames())
                .containsExactly(HOST);
    }

    @Test
    void rejectsAKeyThatBelongsToAnotherCertificate() {
        Issued issued = intermediate.issue(List.of(HOST, "example.com"), DAY_AGO, IN_90_DAYS);
        Issued otherEc = intermediate.issue(List.of(HOST), DAY_AGO, IN_90_DAYS);
        Issued otherRsa = intermediate.issue(List.of(HOST), DAY_AGO, IN_90_DAYS, TestCertificates.rsaKeyPair());
        String message = "The private key does not belong to the certificate for www.example.com, example.com. Paste"
                + " the key that was made together with this certificate's signing request.";

        assertKeyRejected(() -> UploadedCertificates.validate(issued.chainPem(), otherEc.keyPem(), HOST, NOW),
                message);
        assertKeyRejected(() -> UploadedCertificates.validate(issued.chainPem(), otherRsa.keyPem(), HOST, NOW),
                message);
        assertThatThrownBy(() -> UploadedCertificates.validate(issued.chainPem(), otherEc.keyPem(), HOST, NOW))
                .message().doesNotContain(Base64.getEncoder().encodeToString(otherEc.key().getEncoded()));
    }

    @Test
    void rejectsAnRsaKeyOfTheSameSizeThatIsNotTheCertificates() {
        KeyPair certificateKeys = TestCertificates.rsaKeyPair();
        Issued issued = intermediate.issue(List.of(HOST), DAY_AGO, IN_90_DAYS, certificateKeys);
        Issued other = intermediate.issue(List.of(HOST), DAY_AGO, IN_90_DAYS, TestCertificates.rsaKeyPair());

        assertKeyRejected(() -> UploadedCertificates.validate(issued.chainPem(), other.traditionalKeyPem(), HOST, NOW),
                "The private key does not belong to the certificate for www.example.com. Paste the key that was made"
                        + " together with this certificate's signing request.");
    }

    @Test
    void rejectsACertificateForOtherNames() {
        Issued issued = intermediate.issue(List.of("a.example", "*.b.example"), DAY_AGO, IN_90_DAYS);

        assertChainRejected(() -> UploadedCertificates.validate(issued.chainPem(), issued.keyPem(), HOST, NOW),
                "The certificate is for a.example, *.b.example; it does not cover www.example.com.");
    }

    @Test
    void rejectsACertificateThatNamesNoDomain() {
        Issued issued = intermediate.issueWithoutSubjectAlternativeNames("O=Example Org", DAY_AGO, IN_90_DAYS);

        assertChainRejected(() -> UploadedCertificates.validate(issued.chainPem(), issued.keyPem(), HOST, NOW),
                "The certificate names no domain; it does not cover www.example.com.");
    }

    @Test
    void rejectsAnExpiredCertificate() {
        Issued issued = intermediate.issue(List.of(HOST), Instant.parse("2025-10-04T03:04:59Z"),
                Instant.parse("2026-01-02T03:04:59Z"));

        assertThat(UploadedCertificates.validate(issued.chainPem(), issued.keyPem(), HOST,
                Instant.parse("2026-01-02T03:04:59Z")).leaf()).isEqualTo(issued.leaf());
        assertChainRejected(() -> UploadedCertificates.validate(issued.chainPem(), issued.keyPem(), HOST,
                Instant.parse("2026-01-02T03:05:00Z")), "The certificate expired on 2026-01-02 03:04 UTC.");
    }

    @Test
    void rejectsACertificateNotValidYet() {
        Issued issued = intermediate.issue(List.of(HOST), Instant.parse("2026-02-03T04:05:00Z"),
                Instant.parse("2026-05-03T04:05:00Z"));

        assertChainRejected(() -> UploadedCertificates.validate(issued.chainPem(), issued.keyPem(), HOST, NOW),
                "The certificate is not valid before 2026-02-03 04:05 UTC.");
    }

    @Test
    void rejectsAnIntermediateOfAnotherCa() {
        Issued issued = intermediate.issue(List.of(HOST), DAY_AGO, IN_90_DAYS);
        TestCertificates otherRoot = TestCertificates.newAuthority("Other Root");
        X509Certificate otherIntermediate = otherRoot.intermediate("Other Intermediate").authority();

        assertChainRejected(() -> UploadedCertificates.validate(
                TestCertificates.pem(List.of(issued.leaf(), otherIntermediate)), issued.keyPem(), HOST, NOW),
                "The certificate chain is broken: the certificate for www.example.com was issued by Test"
                        + " Intermediate, which is not in the chain, so Other Intermediate does not belong to it."
                        + " Paste the certificate followed by the intermediate certificates that issued it.");
        assertChainRejected(() -> UploadedCertificates.validate(TestCertificates.pem(List.of(issued.leaf(),
                        issued.chain().get(1), otherIntermediate, otherRoot.authority())), issued.keyPem(), HOST, NOW),
                "The certificate chain is broken: the certificate for Test Intermediate was issued by Test Root,"
                        + " which is not in the chain, so Other Intermediate; Other Root do not belong to it. Paste"
                        + " the certificate followed by the intermediate certificates that issued it.");
    }

    @Test
    void rejectsAnIntermediateWithTheRightNameThatDidNotSignTheCertificate() {
        Issued issued = intermediate.issue(List.of(HOST), DAY_AGO, IN_90_DAYS);
        X509Certificate impostor = TestCertificates.newAuthority("Other Root").intermediate("Test Intermediate")
                .authority();

        assertChainRejected(() -> UploadedCertificates.validate(TestCertificates.pem(List.of(issued.leaf(), impostor)),
                issued.keyPem(), HOST, NOW), "The certificate chain is broken: Test Intermediate in the chain did not"
                + " sign the certificate for www.example.com; it is another certificate with the same name. Use the"
                + " intermediate certificates your CA sent with this certificate.");
    }

    @Test
    void rejectsCertificatesAfterTheRootThatBelongToNoChain() {
        Issued issued = intermediate.issue(List.of(HOST), DAY_AGO, IN_90_DAYS);
        X509Certificate stray = TestCertificates.newAuthority("Stray Root").authority();

        assertChainRejected(() -> UploadedCertificates.validate(issued.chainPem() + TestCertificates.pem(List.of(stray)),
                issued.keyPem(), HOST, NOW), "The certificate chain holds certificates that do not belong to it:"
                + " Stray Root. Paste only the certificate for the site and the certificates that issued it.");
    }

    @Test
    void rejectsTwoCertificatesThatCouldEachHaveIssuedTheLeaf() {
        Issued issued = intermediate.issue(List.of(HOST), DAY_AGO, IN_90_DAYS);
        X509Certificate first = issued.chain().get(1);
        X509Certificate again = intermediate.reissued().authority();

        assertChainRejected(() -> UploadedCertificates.validate(TestCertificates.pem(List.of(issued.leaf(), first,
                again)), issued.keyPem(), HOST, NOW), "The certificate chain holds 2 certificates that could have"
                + " issued the certificate for www.example.com: Test Intermediate (serial "
                + CertificateNames.serial(first) + "), Test Intermediate (serial " + CertificateNames.serial(again)
                + "). Keep only the one your CA sent with this certificate.");
    }

    @Test
    void rejectsTwoCertificatesForTheSameKey() {
        KeyPair keys = TestCertificates.ecKeyPair();
        Issued first = intermediate.issue(List.of(HOST), DAY_AGO, IN_90_DAYS, keys);
        Issued second = intermediate.issue(List.of("shop.example.com"), DAY_AGO, IN_90_DAYS, keys);

        assertChainRejected(() -> UploadedCertificates.validate(first.chainPem() + second.leafPem(), first.keyPem(),
                HOST, NOW), "The certificate chain holds 2 certificates for this private key (www.example.com;"
                + " shop.example.com). Paste only the one to use, followed by its intermediate certificates.");
    }

    @Test
    void rejectsACaCertificateAsTheSitesCertificate() {
        Issued rootAsLeaf = root.asIssued();
        Issued intermediateAsLeaf = intermediate.asIssued();

        assertChainRejected(() -> UploadedCertificates.validate(rootAsLeaf.chainPem(), rootAsLeaf.keyPem(), HOST, NOW),
                "The certificate for Test Root is a CA certificate, which signs other certificates, not one for a"
                        + " website. Paste the certificate issued for www.example.com, followed by its intermediate"
                        + " certificates.");
        assertChainRejected(() -> UploadedCertificates.validate(intermediateAsLeaf.chainPem(),
                intermediateAsLeaf.keyPem(), HOST, NOW), "The certificate for Test Intermediate is a CA certificate,"
                + " which signs other certificates, not one for a website. Paste the certificate issued for"
                + " www.example.com, followed by its intermediate certificates.");
    }

    @Test
    void rejectsAnRsaKeyShorterThan2048Bits() {
        Issued weak = intermediate.issue(List.of(HOST), DAY_AGO, IN_90_DAYS, TestCertificates.rsaKeyPair(1024));

        assertKeyRejected(() -> UploadedCertificates.validate(weak.chainPem(), weak.keyPem(), HOST, NOW),
                "The private key is a 1024-bit RSA key, which is too weak: browsers require at least 2048 bits. Get a"
                        + " certificate for a new key of 2048 bits or more.");
    }

    @Test
    void reportsInputsPastedInTheWrongBoxes() {
        Issued issued = intermediate.issue(List.of(HOST), DAY_AGO, IN_90_DAYS);

        assertChainRejected(() -> UploadedCertificates.validate(issued.keyPem(), issued.chainPem(), HOST, NOW),
                "The certificate chain box holds a private key. Paste the key in the private key box, and here only"
                        + " certificates (-----BEGIN CERTIFICATE-----).");
        assertKeyRejected(() -> UploadedCertificates.validate(issued.chainPem(), issued.chainPem(), HOST, NOW),
                "The private key box holds a certificate. Paste it in the certificate chain box, and here only the"
                        + " private key (-----BEGIN PRIVATE KEY-----).");
        assertKeyRejected(() -> UploadedCertificates.validate(issued.chainPem(), issued.encryptedKeyPem("pw"), HOST,
                NOW), "The private key is protected by a passphrase. Remove it with openssl pkey -in key.pem -out"
                + " plain.pem (openssl asks for the passphrase) and paste plain.pem.");
    }

    private static void assertChainRejected(ThrowingCallable validate, String message) {
        assertRejected(validate, Input.CERTIFICATE_CHAIN, message);
    }

    private static void assertKeyRejected(ThrowingCallable validate, String message) {
        assertRejected(validate, Input.PRIVATE_KEY, message);
    }

    private static void assertRejected(ThrowingCallable validate, Input input, String message) {
        assertThatThrownBy(validate).isInstanceOfSatisfying(CertificateRejectedException.class, e -> {
            assertThat(e.getMessage()).isEqualTo(message);
            assertThat(e.input()).isEqualTo(input);
        });
    }
}
