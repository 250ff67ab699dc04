package io.miaobu.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.miaobu.server.cert.TestCertificates;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServedCertificatesTest {

    private static final TestCertificates CA = TestCertificates.newAuthority("Served Certificates Test CA");
    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

    private final ServedCertificates served = new ServedCertificates(Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void coversExactlyTheHostPutIgnoringCaseAndATrailingDot() {
        put("WWW.Example.com.");

        assertThat(served.covers("www.example.com")).isTrue();
        assertThat(served.covers("WWW.EXAMPLE.COM.")).isTrue();
        assertThat(served.covers("example.com")).isFalse();
        assertThat(served.covers("a.www.example.com")).isFalse();
        assertThat(served.covers("other.example.com")).isFalse();
        assertThat(served.find("www.example.com").leaf().getSubjectX500Principal().getName())
                .isEqualTo("CN=www.example.com");
    }

    @Test
    void aWildcardCoversOneLabelBelowItsDomainOnly() {
        put("*.example.com");

        assertThat(served.covers("a.example.com")).isTrue();
        assertThat(served.covers("b.example.com")).isTrue();
        assertThat(served.covers("a.b.example.com")).isFalse();
        assertThat(served.covers("example.com")).isFalse();
        assertThat(served.covers("a.example.org")).isFalse();
        assertThat(served.covers("com")).isFalse();
    }

    @Test
    void theHostsOwnCertificateWinsOverTheWildcard() {
        put("*.example.com");
        put("a.example.com");

        assertThat(served.find("a.example.com").leaf().getSubjectX500Principal().getName())
                .isEqualTo("CN=a.example.com");
        assertThat(served.find("b.example.com").leaf().getSubjectX500Principal().getName())
                .isEqualTo("CN=*.example.com");
    }

    @Test
    void expiredCertificatesCoverNothingAndAValidWildcardStandsIn() {
        served.put("old.example.com", issue("old.example.com", NOW.minus(Duration.ofDays(90)),
                NOW.minusSeconds(1)));
        assertThat(served.covers("old.example.com")).isFalse();
        assertThat(served.find("old.example.com")).isNull();

        put("*.example.com");
        assertThat(served.find("old.example.com").leaf().getSubjectX500Principal().getName())
                .isEqualTo("CN=*.example.com");

        var later = new ServedCertificates(Clock.fixed(NOW.plus(Duration.ofDays(91)), ZoneOffset.UTC));
        later.put("*.example.com", issue("*.example.com", NOW, NOW.plus(Duration.ofDays(90))));
        assertThat(later.covers("a.example.com")).as("expired since it was put").isFalse();
    }

    @Test
    void puttingAgainReplacesTheCertificateAndTheReplacedOneStaysFindableByAliasForAHandshakeUnderWay() {
        put("www.example.com");
        ServedCertificate first = served.find("www.example.com");
        put("www.example.com");
        ServedCertificate second = served.find("www.example.com");

        assertThat(second.alias()).isNotEqualTo(first.alias());
        assertThat(second.leaf()).isNotEqualTo(first.leaf());
        assertThat(served.byAlias(first.alias())).isSameAs(first);
        assertThat(served.byAlias(second.alias())).isSameAs(second);

        put("www.example.com");
        assertThat(served.byAlias(first.alias())).as("two replacements ago").isNull();
        assertThat(served.byAlias(second.alias())).isSameAs(second);
    }

    @Test
    void removingStopsServingTheHostOnly() {
        put("www.example.com");
        put("*.example.com");
        String alias = served.find("www.example.com").alias();

        assertThat(served.remove("www.example.com")).isTrue();
        assertThat(served.remove("www.example.com")).isFalse();
        assertThat(served.byAlias(alias)).isNull();
        assertThat(served.find("www.example.com").leaf().getSubjectX500Principal().getName())
                .as("the wildcard still covers it").isEqualTo("CN=*.example.com");

        assertThat(served.remove("*.EXAMPLE.com")).isTrue();
        assertThat(served.covers("www.example.com")).isFalse();
    }

    @Test
    void refusesAKeyThatIsNotTheCertificatesAndNamesThatAreNotHosts() {
        var certificate = issue("www.example.com", NOW.minusSeconds(60), NOW.plus(Duration.ofDays(90)));
        var other = issue("www.example.com", NOW.minusSeconds(60), NOW.plus(Duration.ofDays(90)));

        assertThatThrownBy(() -> served.put("www.example.com", other.key(), certificate.chain()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not belong");
        assertThatThrownBy(() -> served.put("www.example.com", certificate.key(), List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no certificate");
        for (String name : List.of("", "*", "*.", "a.*.example.com", "**.example.com", ".example.com")) {
            assertThatThrownBy(() -> served.put(name, certificate.key(), certificate.chain())).as(name)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(served.covers("www.example.com")).isFalse();
    }

    @Test
    void acceptsRsaKeys() {
        var rsa = CA.issue(List.of("rsa.example.com"), NOW.minusSeconds(60), NOW.plus(Duration.ofDays(90)),
                TestCertificates.rsaKeyPair());

        served.put("rsa.example.com", rsa.key(), rsa.chain());

        assertThat(served.find("rsa.example.com").keyType()).isEqualTo("RSA");
    }

    private void put(String host) {
        served.put(host, issue(host.toLowerCase().replaceAll("\\.$", ""), NOW.minus(Duration.ofDays(1)),
                NOW.plus(Duration.ofDays(90))));
    }

    private static CertifiedKey issue(String name, Instant notBefore, Instant notAfter) {
        var issued = CA.issue(List.of(name), notBefore, notAfter);
        return new CertifiedKey(issued.key(), issued.chain());
    }
}
