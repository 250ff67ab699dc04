package io.miaobu.server.cert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.MessageDigest;
import java.security.interfaces.RSAPrivateCrtKey;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ParsedCertificateTest {

    private static final Instant NOT_BEFORE = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(3600);
    private static final Instant NOT_AFTER = NOT_BEFORE.plusSeconds(90L * 86_400);

    private final TestCertificates root = TestCertificates.newAuthority("Test Root");
    private final TestCertificates intermediate = root.intermediate("Test Intermediate R3");

    @Test
    void readsTheLeafFacts() throws Exception {
        var issued = intermediate.issue(List.of("www.example.com", "example.com"), NOT_BEFORE, NOT_AFTER);

        ParsedCertificate parsed = ParsedCertificate.of(issued.chain(), issued.key());

        assertThat(parsed.leaf()).isEqualTo(issued.leaf());
        assertThat(parsed.chain()).containsExactlyElementsOf(issued.chain());
        assertThat(parsed.key()).isEqualTo(issued.key());
        assertThat(parsed.dnsNames()).containsExactly("www.example.com", "example.com");
        assertThat(parsed.notBefore()).isEqualTo(NOT_BEFORE);
        assertThat(parsed.notAfter()).isEqualTo(NOT_AFTER);
        assertThat(parsed.issuer()).isEqualTo("Test Intermediate R3");
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(issued.leaf().getEncoded());
        assertThat(parsed.sha256Fingerprint()).isEqualTo(IntStream.range(0, digest.length)
                .mapToObj(i -> String.format("%02X", digest[i])).collect(Collectors.joining(":")));
        assertThat(parsed.serial()).matches("([0-9A-F]{2})+");
        assertThat(new java.math.BigInteger(parsed.serial(), 16)).isEqualTo(issued.leaf().getSerialNumber());
    }

    @Test
    void takesTheCommonNameOnlyWhenThereAreNoSubjectAlternativeNames() {
        var withoutSans = root.issueWithoutSubjectAlternativeNames("CN=legacy.example.com,O=Legacy",
                NOT_BEFORE, NOT_AFTER);
        var withSans = root.issue(List.of("cn.example.com", "san.example.com"), NOT_BEFORE, NOT_AFTER);

        assertThat(ParsedCertificate.of(withoutSans.chain(), withoutSans.key()).dnsNames())
                .containsExactly("legacy.example.com");
        assertThat(ParsedCertificate.of(withSans.chain(), withSans.key()).dnsNames())
                .containsExactly("cn.example.com", "san.example.com");
    }

    @Test
    void coversExactNamesWhateverTheirCase() {
        ParsedCertificate parsed = parsed("www.example.com", "Shop.Example.com");

        assertThat(parsed.covers("www.example.com")).isTrue();
        assertThat(parsed.covers("WWW.Example.COM")).isTrue();
        assertThat(parsed.covers("shop.example.com")).isTrue();
        assertThat(parsed.covers("www.example.com.")).isTrue();
        assertThat(parsed.covers("example.com")).isFalse();
        assertThat(parsed.covers("www.example.org")).isFalse();
        assertThat(parsed.covers("wwww.example.com")).isFalse();
    }

    @Test
    void coversExactlyOneLabelWithAWildcard() {
        ParsedCertificate parsed = parsed("*.example.com");

        assertThat(parsed.covers("www.example.com")).isTrue();
        assertThat(parsed.covers("API.example.com")).isTrue();
        assertThat(parsed.covers("example.com")).isFalse();
        assertThat(parsed.covers("a.b.example.com")).isFalse();
        assertThat(parsed.covers("www.example.org")).isFalse();
        assertThat(parsed.covers("www.notexample.com")).isFalse();
        assertThat(parsed.covers(".example.com")).isFalse();
    }

    @Test
    void coversTheApexWhenItIsNamedBesideTheWildcard() {
        ParsedCertificate parsed = parsed("*.example.com", "example.com");

        assertThat(parsed.covers("example.com")).isTrue();
        assertThat(parsed.covers("www.example.com")).isTrue();
        assertThat(parsed.covers("a.b.example.com")).isFalse();
    }

    @Test
    void readsBackWhatThisServerStored() {
        var issued = intermediate.issue(List.of("www.example.com"), NOT_BEFORE, NOT_AFTER,
                TestCertificates.rsaKeyPair());

        ParsedCertificate parsed = ParsedCertificate.fromPem(CertificatePems.toPem(issued.chain()),
                CertificatePems.toPem(issued.key()));

        assertThat(parsed.chain()).containsExactlyElementsOf(issued.chain());
        assertThat(parsed.key().getEncoded()).isEqualTo(issued.key().getEncoded());
        assertThat(parsed.dnsNames()).containsExactly("www.example.com");
    }

    @Test
    void refusesAChainThatDoesNotBeginWithTheLeaf() {
        var issued = intermediate.issue(List.of("www.example.com"), NOT_BEFORE, NOT_AFTER);
        ParsedCertificate parsed = ParsedCertificate.of(issued.chain(), issued.key());

        assertThatThrownBy(() -> new ParsedCertificate(issued.leaf(), issued.chain().subList(1, 3), issued.key(),
                parsed.dnsNames(), parsed.notBefore(), parsed.notAfter(), parsed.issuer(), parsed.serial(),
                parsed.sha256Fingerprint()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("The chain must begin with the leaf");
    }

    @Test
    void printsOneShortLineWithoutTheKey() {
        var issued = intermediate.issue(List.of("www.example.com"), NOT_BEFORE, NOT_AFTER,
                TestCertificates.rsaKeyPair());
        ParsedCertificate parsed = ParsedCertificate.of(issued.chain(), issued.key());

        String text = parsed.toString();

        assertThat(text).contains("www.example.com", "Test Intermediate R3", parsed.sha256Fingerprint(),
                "3 certificates", "key=RSA");
        var exponent = ((RSAPrivateCrtKey) issued.key()).getPrivateExponent();
        assertThat(text).doesNotContain(exponent.toString(), exponent.toString(16),
                Base64.getEncoder().encodeToString(issued.key().getEncoded()));
        assertThat(text).hasSizeLessThan(400).doesNotContain("\n");
    }

    private ParsedCertificate parsed(String... names) {
        var issued = root.issue(List.of(names), NOT_BEFORE, NOT_AFTER);
        return ParsedCertificate.of(issued.chain(), issued.key());
    }
}
