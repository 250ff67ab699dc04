package io.miaobu.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.miaobu.server.cert.TestCertificates;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** Real JSSE handshakes between two in-memory engines, the server's with the key manager under test. */
class SniKeyManagerTest {

    private static final TestCertificates CA = TestCertificates.newAuthority("SNI Key Manager Test CA");

    private final ServedCertificates served = new ServedCertificates(Clock.systemUTC());
    private final CertifiedKey fallback = SelfSignedCertificate.generate("miaobu.example.test", Clock.systemUTC());
    private final SSLContext server = serverContext(new SniKeyManager(served, fallback));

    @Test
    void presentsTheCertificateOfTheRequestedNameExactThenWildcardElseTheDefault() throws Exception {
        served.put("a.example.test", issue("a.example.test"));
        served.put("*.example.test", issue("*.example.test"));

        assertThat(subjectOf(handshake("a.example.test"))).isEqualTo("CN=a.example.test");
        assertThat(subjectOf(handshake("B.Example.Test"))).isEqualTo("CN=*.example.test");
        assertThat(subjectOf(handshake("a.b.example.test"))).isEqualTo("CN=miaobu.example.test");
        assertThat(subjectOf(handshake("unknown.example.org"))).isEqualTo("CN=miaobu.example.test");
        assertThat(subjectOf(handshake(null))).as("no SNI").isEqualTo("CN=miaobu.example.test");
    }

    @Test
    void presentsTheWholeChainLeafFirst() throws Exception {
        served.put("a.example.test", issue("a.example.test"));

        X509Certificate[] chain = handshakeChain(client("TLSv1.3"), "a.example.test");

        assertThat(chain).hasSize(2);
        assertThat(chain[1]).isEqualTo(CA.authority());
        chain[0].verify(CA.authority().getPublicKey());
    }

    @Test
    void aCertificatePutOrReplacedLaterIsPresentedFromTheNextHandshake() throws Exception {
        assertThat(subjectOf(handshake("a.example.test"))).isEqualTo("CN=miaobu.example.test");

        CertifiedKey first = issue("a.example.test");
        served.put("a.example.test", first);
        assertThat(handshake("a.example.test")).isEqualTo(first.leaf());

        CertifiedKey renewed = issue("a.example.test");
        served.put("a.example.test", renewed);
        assertThat(handshake("a.example.test")).isEqualTo(renewed.leaf()).isNotEqualTo(first.leaf());

        served.remove("a.example.test");
        assertThat(subjectOf(handshake("a.example.test"))).isEqualTo("CN=miaobu.example.test");
    }

    @Test
    void anExpiredCertificateGivesWayToTheDefault() throws Exception {
        var expired = CA.issue(List.of("old.example.test"), Instant.now().minus(Duration.ofDays(90)),
                Instant.now().minusSeconds(60));
        served.put("old.example.test", expired.key(), expired.chain());

        assertThat(subjectOf(handshake("old.example.test"))).isEqualTo("CN=miaobu.example.test");
    }

    @Test
    void offersEachCertificateForItsOwnKeyTypeOnly() throws Exception {
        var rsa = CA.issue(List.of("rsa.example.test"), Instant.now().minusSeconds(60),
                Instant.now().plus(Duration.ofDays(90)), TestCertificates.rsaKeyPair());
        served.put("rsa.example.test", rsa.key(), rsa.chain());

        // TLS 1.3 clients list ECDSA before RSA: the RSA certificate is still the one chosen, not the EC default
        assertThat(handshakeChain(client("TLSv1.3"), "rsa.example.test")[0]).isEqualTo(rsa.leaf());
        SSLEngine rsaOnly = client("TLSv1.2");
        rsaOnly.setEnabledCipherSuites(new String[] {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"});
        assertThat(handshakeChain(rsaOnly, "rsa.example.test")[0]).isEqualTo(rsa.leaf());

        SSLEngine ecdsaOnly = client("TLSv1.2");
        ecdsaOnly.setEnabledCipherSuites(new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"});
        assertThat(subjectOf(handshakeChain(ecdsaOnly, null)[0])).isEqualTo("CN=miaobu.example.test");
        SSLEngine ecdsaOnlyForRsaHost = client("TLSv1.2");
        ecdsaOnlyForRsaHost.setEnabledCipherSuites(new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"});
        assertThatThrownBy(() -> handshakeChain(ecdsaOnlyForRsaHost, "rsa.example.test"))
                .as("the host's certificate cannot serve it, and the default is not the host's")
                .isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void anRsaDefaultServesRsaClientsWithoutSni() throws Exception {
        var rsa = CA.issue(List.of("miaobu.example.test"), Instant.now().minusSeconds(60),
                Instant.now().plus(Duration.ofDays(90)), TestCertificates.rsaKeyPair());
        var keys = new SniKeyManager(served, new CertifiedKey(rsa.key(), rsa.chain()));
        SSLEngine client = client("TLSv1.3");

        assertThat(handshakeChain(serverContext(keys), client, null)[0]).isEqualTo(rsa.leaf());
        assertThat(keys.getServerAliases("RSA", null)).containsExactly(SniKeyManager.DEFAULT_ALIAS);
        assertThat(keys.getServerAliases("EC", null)).isNull();
    }

    @Test
    void answersNothingForUnknownAliasesOrAsAClient() {
        var keys = new SniKeyManager(served, fallback);

        assertThat(keys.getPrivateKey("gone.example.test#7")).isNull();
        assertThat(keys.getCertificateChain("gone.example.test#7")).isNull();
        assertThat(keys.getPrivateKey(null)).isNull();
        assertThat(keys.getCertificateChain(SniKeyManager.DEFAULT_ALIAS)).containsExactly(fallback.leaf());
        assertThat(keys.chooseClientAlias(new String[] {"EC"}, null, (Socket) null)).isNull();
        assertThat(keys.getClientAliases("EC", null)).isNull();
    }

    private static CertifiedKey issue(String name) {
        var issued = CA.issue(List.of(name), Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofDays(90)));
        return new CertifiedKey(issued.key(), issued.chain());
    }

    private static String subjectOf(X509Certificate certificate) {
        return certificate.getSubjectX500Principal().getName();
    }

    private X509Certificate handshake(String sni) throws SSLException {
        return handshakeChain(client("TLSv1.3"), sni)[0];
    }

    private X509Certificate[] handshakeChain(SSLEngine client, String sni) throws SSLException {
        return handshakeChain(server, client, sni);
    }

    /** Runs a handshake to its end in memory; the chain the client was shown. */
    private static X509Certificate[] handshakeChain(SSLContext serverContext, SSLEngine client, String sni)
            throws SSLException {
        var parameters = client.getSSLParameters();
        parameters.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
        client.setSSLParameters(parameters);
        SSLEngine server = serverContext.createSSLEngine();
        server.setUseClientMode(false);
        int packet = Math.max(client.getSession().getPacketBufferSize(), server.getSession().getPacketBufferSize());
        int application = Math.max(client.getSession().getApplicationBufferSize(),
                server.getSession().getApplicationBufferSize());
        ByteBuffer toServer = ByteBuffer.allocate(4 * packet);
        ByteBuffer toClient = ByteBuffer.allocate(4 * packet);
        ByteBuffer serverIn = ByteBuffer.allocate(4 * application);
        ByteBuffer clientIn = ByteBuffer.allocate(4 * application);
        ByteBuffer nothing = ByteBuffer.allocate(0);
        client.beginHandshake();
        server.beginHandshake();
        for (int round = 0; round < 200 && !(finished(client) && finished(server)); round++) {
            client.wrap(nothing, toServer);
            runTasks(client);
            toServer.flip();
            server.unwrap(toServer, serverIn);
            toServer.compact();
            runTasks(server);
            server.wrap(nothing, toClient);
            runTasks(server);
            toClient.flip();
            client.unwrap(toClient, clientIn);
            toClient.compact();
            runTasks(client);
        }
        assertThat(finished(client) && finished(server)).as("handshake finished").isTrue();
        return (X509Certificate[]) client.getSession().getPeerCertificates();
    }

    private static boolean finished(SSLEngine engine) {
        HandshakeStatus status = engine.getHandshakeStatus();
        return status == HandshakeStatus.NOT_HANDSHAKING || status == HandshakeStatus.FINISHED;
    }

    private static void runTasks(SSLEngine engine) {
        for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
            task.run();
        }
    }

    private static SSLContext serverContext(SniKeyManager keys) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] {keys}, null, null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A client engine that accepts whatever it is shown: these tests look at what that is. */
    private static SSLEngine client(String protocol) {
        SSLEngine engine = TlsClients.acceptingAnything().createSSLEngine();
        engine.setUseClientMode(true);
        engine.setEnabledProtocols(new String[] {protocol});
        return engine;
    }
}
