package io.miaobu.plugin.acme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import io.miaobu.api.ExtensionException;
import io.miaobu.api.Secret;
import io.miaobu.api.cert.CertificateBundle;
import io.miaobu.api.cert.CertificateOrder;
import io.miaobu.api.cert.Dns01Solver;
import io.miaobu.api.cert.Http01Solver;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.config.ConnectionCheck;
import io.miaobu.api.testkit.RecordingTaskLog;
import io.miaobu.plugin.acme.pebble.PebbleServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real ACME exchanges with a real Pebble; skipped only where Pebble is not installed ({@code .ci/run} installs it). */
class AcmeCertificateIssuerPebbleTest {

    @TempDir
    static Path temp;

    static PebbleServer pebble;
    static HttpServer challengeServer;
    static final Map<String, String> answers = new ConcurrentHashMap<>();

    final AcmeCertificateIssuer issuer = new AcmeCertificateIssuer();
    final RecordingTaskLog log = new RecordingTaskLog();

    @BeforeAll
    static void startPebble() throws Exception {
        assumeTrue(PebbleServer.installed(), "pebble and pebble-challtestsrv are not installed");
        challengeServer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        challengeServer.createContext("/.well-known/acme-challenge/", exchange -> {
            String token = exchange.getRequestURI().getPath().substring("/.well-known/acme-challenge/".length());
            String answer = answers.get(token);
            byte[] body = (answer == null ? "" : answer).getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(answer == null ? 404 : 200, body.length == 0 ? -1 : body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        challengeServer.start();
        pebble = PebbleServer.start(temp, challengeServer.getAddress().getPort());
    }

    @AfterAll
    static void stopPebble() throws Exception {
        if (pebble != null) {
            pebble.close();
        }
        if (challengeServer != null) {
            challengeServer.stop(0);
        }
    }

    @Test
    void issuesOverHttp01ACertificateThatChainsToPebblesRoot() throws Exception {
        RecordingHttp01 http01 = new RecordingHttp01(false);

        CertificateBundle bundle = issuer.issue(order(List.of("site-1.example.test"), http01, null, "seed-http"));

        List<X509Certificate> chain = certificates(bundle.certificatePem());
        assertThat(chain).hasSizeGreaterThanOrEqualTo(2);
        X509Certificate leaf = chain.get(0);
        assertThat(leaf.getSubjectAlternativeNames()).extracting(name -> (Object) name.get(1)).contains((Object) "site-1.example.test");
        verifiesAgainst(chain, pebble.issuingRoot());
        assertKeyMatches(bundle.privateKeyPem(), leaf);
        assertThat(bundle.notAfter()).isAfter(Instant.now()).isEqualTo(leaf.getNotAfter().toInstant());
        assertThat(bundle.notBefore()).isEqualTo(leaf.getNotBefore().toInstant());
        assertThat(bundle.domains()).containsExactly("site-1.example.test");
        assertThat(http01.published).containsExactly("site-1.example.test");
        assertThat(answers).isEmpty();
        assertThat(log.text()).contains("site-1.example.test validated over HTTP-01").doesNotContain("seed-http");
    }

    @Test
    void issuesAWildcardOverDns01() throws Exception {
        RecordingDns01 dns01 = new RecordingDns01();

        // no HTTP-01 solver: the names are not served by the host, so both go over DNS-01
        CertificateBundle bundle = issuer.issue(order(List.of("*.wild.example.test", "wild.example.test"),
                null, dns01, "seed-dns"));

        X509Certificate leaf = certificates(bundle.certificatePem()).get(0);
        assertThat(leaf.getSubjectAlternativeNames()).extracting(name -> (Object) name.get(1))
                .containsExactlyInAnyOrder((Object) "*.wild.example.test", "wild.example.test");
        verifiesAgainst(certificates(bundle.certificatePem()), pebble.issuingRoot());
        assertThat(dns01.published).hasSize(2).containsOnly("wild.example.test");
        assertThat(dns01.removed).hasSize(2);
    }

    @Test
    void aWrongHttp01AnswerNamesTheDomainWithPebblesDetail() {
        RecordingHttp01 http01 = new RecordingHttp01(true);

        assertThatThrownBy(() -> issuer.issue(order(List.of("wrong.example.test"), http01, null, "seed-wrong")))
                .isInstanceOf(ExtensionException.class)
                .hasMessageStartingWith("The CA could not validate wrong.example.test over HTTP-01: ")
                .hasMessageContaining("key authorization");
        assertThat(answers).isEmpty();
        assertThat(log.lines(RecordingTaskLog.Level.ERROR)).anyMatch(l -> l.contains("wrong.example.test"));
    }

    @Test
    void theSameAccountKeySettingKeepsTheSameAccount() throws Exception {
        issuer.issue(order(List.of("again-1.example.test"), new RecordingHttp01(false), null, "seed-same"));
        RecordingTaskLog second = new RecordingTaskLog();
        issuer.issue(new CertificateOrder(List.of("again-2.example.test"), new RecordingHttp01(false), null,
                settings("seed-same"), second));

        String created = accountLine(log, "Created the ACME account ");
        assertThat(accountLine(second, "Using the ACME account ")).isEqualTo(created);
        assertThat(second.text()).doesNotContain("Created the ACME account");
    }

    @Test
    void checkConnectionReachesTheDirectoryAndTheAccount() {
        List<ConnectionCheck> checks = issuer.checkConnection(settings("seed-check"));

        assertThat(checks).extracting(ConnectionCheck::name).containsExactly("Directory", "Account");
        assertThat(checks).allMatch(ConnectionCheck::passed);
    }

    @Test
    void withoutTrustingPebblesCertificateTheDirectoryIsUnreachable() {
        ConfigValues untrusted = ConfigValues.of(Map.of("directory-url", pebble.directoryUrl()),
                Map.of("account-key", Secret.of("seed-untrusted")));

        assertThatThrownBy(() -> issuer.issue(new CertificateOrder(List.of("x.example.test"),
                new RecordingHttp01(false), null, untrusted, log)))
                .isInstanceOf(ExtensionException.class)
                .hasMessageStartingWith("Could not reach the ACME server at " + pebble.directoryUrl());
    }

    private CertificateOrder order(List<String> domains, Http01Solver http01, Dns01Solver dns01, String seed) {
        return new CertificateOrder(domains, http01, dns01, settings(seed), log);
    }

    private static ConfigValues settings(String seed) {
        return ConfigValues.of(Map.of("directory-url", pebble.directoryUrl(), "contact-email", "admin@example.test",
                        "trust-store-pem", pebble.tlsCertificatePem()),
                Map.of("account-key", Secret.of(seed)));
    }

    private static String accountLine(RecordingTaskLog log, String prefix) {
        return log.lines(RecordingTaskLog.Level.INFO).stream().filter(l -> l.startsWith(prefix))
                .map(l -> l.substring(prefix.length())).findFirst().orElseThrow(() ->
                        new AssertionError("no line starting with " + prefix + " in " + log.text()));
    }

    static List<X509Certificate> certificates(String pem) throws Exception {
        List<X509Certificate> list = new ArrayList<>();
        for (var c : CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
            list.add((X509Certificate) c);
        }
        return list;
    }

    private static void verifiesAgainst(List<X509Certificate> chain, X509Certificate root) throws Exception {
        PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
        parameters.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(
                CertificateFactory.getInstance("X.509").generateCertPath(chain), parameters);
    }

    private static void assertKeyMatches(Secret privateKeyPem, X509Certificate leaf) throws Exception {
        String base64 = privateKeyPem.reveal().replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        PrivateKey key = KeyFactory.getInstance(leaf.getPublicKey().getAlgorithm())
                .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
        byte[] data = "proof".getBytes(StandardCharsets.US_ASCII);
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(key);
        signer.update(data);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(leaf.getPublicKey());
        verifier.update(data);
        assertThat(verifier.verify(signature)).isTrue();
    }

    /** The host's HTTP-01 solver, served by the test's challenge server on Pebble's httpPort. */
    static final class RecordingHttp01 implements Http01Solver {
        final List<String> published = new ArrayList<>();
        final boolean wrong;

        RecordingHttp01(boolean wrong) {
            this.wrong = wrong;
        }

        @Override
        public void publish(String domain, String token, String keyAuthorization) {
            published.add(domain);
            answers.put(token, wrong ? "not-" + keyAuthorization : keyAuthorization);
        }

        @Override
        public void remove(String domain, String token) {
            answers.remove(token);
        }
    }

    /** A DNS-01 solver writing TXT records into challtestsrv, the DNS server Pebble asks. */
    static final class RecordingDns01 implements Dns01Solver {
        final List<String> published = new ArrayList<>();
        final List<String> removed = new ArrayList<>();

        @Override
        public String publish(String domain, String digest, Duration waitAtMost) throws InterruptedException {
            published.add(domain);
            try {
                pebble.setTxt("_acme-challenge." + domain, digest);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return "_acme-challenge." + domain;
        }

        @Override
        public void remove(String recordId) {
            removed.add(recordId);
            try {
                pebble.clearTxt(recordId);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
