package io.miaobu.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.miaobu.server.cert.TestCertificates;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemFilesTest {

    private static final TestCertificates CA = TestCertificates.newAuthority("PEM Files Test CA");

    @TempDir
    Path dir;

    @Test
    void readsTheChainLeafFirstAndAPkcs8Key() throws Exception {
        var issued = issue(TestCertificates.ecKeyPair());
        Path chain = write("chain.pem", issued.chainPem());
        Path key = write("key.pem", issued.keyPem());

        CertifiedKey read = PemFiles.read(chain, key);

        assertThat(read.chain()).containsExactly(issued.leaf(), CA.authority());
        assertThat(read.key().getEncoded()).isEqualTo(issued.key().getEncoded());
        assertThat(read.toString()).doesNotContain("private").contains("CN=miaobu.example.test");
    }

    @Test
    void readsTraditionalEcAndRsaKeys() throws Exception {
        for (KeyPair keys : List.of(TestCertificates.ecKeyPair(), TestCertificates.rsaKeyPair())) {
            var issued = issue(keys);
            Path key = write("traditional-" + keys.getPrivate().getAlgorithm() + ".pem",
                    traditionalPem(keys.getPrivate()));
            assertThat(Files.readString(key)).contains("-----BEGIN " + keys.getPrivate().getAlgorithm()
                    + " PRIVATE KEY-----");

            CertifiedKey read = PemFiles.read(write("leaf.pem", issued.leafPem()), key);

            assertThat(read.key().getAlgorithm()).isEqualTo(keys.getPrivate().getAlgorithm());
            assertThat(read.leaf()).isEqualTo(issued.leaf());
        }
    }

    @Test
    void saysWhatIsWrongWithWhichFile() throws Exception {
        var issued = issue(TestCertificates.ecKeyPair());
        Path chain = write("chain.pem", issued.chainPem());
        Path key = write("key.pem", issued.keyPem());
        Path otherKey = write("other-key.pem", issue(TestCertificates.ecKeyPair()).keyPem());

        assertThatThrownBy(() -> PemFiles.read(dir.resolve("missing.pem"), key))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing.pem does not exist");
        assertThatThrownBy(() -> PemFiles.read(key, key))
                .hasMessageContaining("key.pem holds no PEM certificate");
        assertThatThrownBy(() -> PemFiles.read(chain, chain))
                .hasMessageContaining("chain.pem holds no PEM private key");
        assertThatThrownBy(() -> PemFiles.read(chain, otherKey))
                .hasMessageContaining("other-key.pem does not go with").hasMessageContaining("does not belong");
        assertThatThrownBy(() -> PemFiles.read(chain, write("garbage.pem", "-----BEGIN CERTIFICATE-----\nnope\n")))
                .hasMessageContaining("garbage.pem cannot be read as PEM");

        var out = new StringWriter();
        try (var writer = new JcaPEMWriter(out)) {
            writer.writeObject(new JcaPKCS8Generator(issued.key(),
                    new JceOpenSSLPKCS8EncryptorBuilder(JcaPKCS8Generator.AES_256_CBC)
                            .setProvider(new BouncyCastleProvider()).setPassword("secret".toCharArray()).build()));
        }
        assertThatThrownBy(() -> PemFiles.read(chain, write("encrypted.pem", out.toString())))
                .hasMessageContaining("encrypted.pem holds an encrypted private key");
    }

    @Test
    void makesASelfSignedCertificateForANameOrAnAddress() throws Exception {
        CertifiedKey named = SelfSignedCertificate.generate("miaobu.example.test", Clock.systemUTC());
        CertifiedKey address = SelfSignedCertificate.generate("127.0.0.1", Clock.systemUTC());

        assertThat(named.leaf().getSubjectX500Principal().getName()).isEqualTo("CN=miaobu.example.test");
        assertThat(named.leaf().getSubjectAlternativeNames()).containsExactly(List.of(2, "miaobu.example.test"));
        assertThat(address.leaf().getSubjectAlternativeNames()).containsExactly(List.of(7, "127.0.0.1"));
        named.leaf().verify(named.leaf().getPublicKey());
        named.leaf().checkValidity();
        assertThat(named.leaf().getNotAfter().toInstant()).isAfter(Instant.now().plus(Duration.ofDays(300)));
    }

    private static TestCertificates.Issued issue(KeyPair keys) {
        return CA.issue(List.of("miaobu.example.test"), Instant.now().minusSeconds(60),
                Instant.now().plus(Duration.ofDays(90)), keys);
    }

    /** PKCS#1 for RSA; SEC1 with the named curve for EC, as {@code openssl ec} writes it. */
    private static String traditionalPem(PrivateKey key) throws Exception {
        var out = new StringWriter();
        try (var writer = new JcaPEMWriter(out)) {
            if (key.getAlgorithm().equals("EC")) {
                PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
                var bare = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey());
                var sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(256, bare.getKey(),
                        info.getPrivateKeyAlgorithm().getParameters());
                writer.writeObject(new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
            } else {
                writer.writeObject(key);
            }
        }
        return out.toString();
    }

    private Path write(String name, String content) throws Exception {
        return Files.writeString(dir.resolve(name), content);
    }
}
