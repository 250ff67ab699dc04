package io.miaobu.server.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.miaobu.server.web.UserFacingException;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DomainNamesTest {

    private final DomainNames names = new DomainNames("sites.test", Set.of("miaobu.example.org"));

    @Test
    void lowerCasesDropsTheTrailingDotAndSpellsInternationalNamesInPunycode() {
        assertThat(names.normalize(" WWW.Example.COM. ")).isEqualTo("www.example.com");
        assertThat(names.normalize("bücher.example")).isEqualTo("xn--bcher-kva.example");
        assertThat(names.normalize("例子.测试")).isEqualTo("xn--fsqu00a.xn--0zwm56d");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''|Enter a domain",
            "https://example.com/|without http://",
            "192.0.2.1|IP address",
            "[2001:db8::1]|IP address",
            "example.com:8080|IP address or a port",
            "localhost|with a dot",
            "-bad.example.com|not a valid domain name",
            "*.example.com|not a valid domain name",
            "a_b.example.com|not a valid domain name",
            "site.sites.test|under this server's sites domain sites.test",
            "sites.test|under this server's sites domain",
            "miaobu.example.org|this server's own address"})
    void refusesWhatCannotBeAProjectsDomainSayingWhy(String input, String reason) {
        assertThatThrownBy(() -> names.normalize(input))
                .isInstanceOfSatisfying(UserFacingException.class, e -> assertThat(e.status()).isEqualTo(400))
                .hasMessageContaining(reason);
    }
}
