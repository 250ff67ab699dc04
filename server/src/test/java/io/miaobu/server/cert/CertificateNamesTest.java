package io.miaobu.server.cert;

import static org.assertj.core.api.Assertions.assertThat;

import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.Test;

class CertificateNamesTest {

    @Test
    void namesACaByItsCommonNameElseItsOrganization() {
        assertThat(CertificateNames.shortName(new X500Principal("CN=R3, O=Let's Encrypt, C=US"))).isEqualTo("R3");
        assertThat(CertificateNames.shortName(new X500Principal("OU=Certificates, O=Example\\, Inc., C=US")))
                .isEqualTo("Example, Inc.");
        assertThat(CertificateNames.shortName(new X500Principal("OU=Certificates, C=US")))
                .isEqualTo("OU=Certificates,C=US");
    }
}
