package io.miaobu.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.miaobu.server.cert.TestCertificates;
import io.miaobu.server.domain.TestDnsServer;
import io.miaobu.server.tls.TlsClients;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real server with its HTTPS connector on: each handshake presents the certificate of the name the client asked
 * for (SNI), certificates put into the registry are presented from the next handshake on, sites are served over TLS,
 * and plain HTTP for hosts with a certificate is redirected to HTTPS; without {@code tls.port} none of it happens.
 */
class TlsServingIT {

    private static final TestCertificates CA = TestCertificates.newAuthority("TLS Serving IT CA");
    private static final String SERVER_ADDRESS = "192.0.2.10";

    @TempDir
    Path temp;

    @Test
    void presentsTheCertificateOfEachNameServesSitesOverTlsAndRedirectsPlainHttpForHostsWithOne() throws Exception {
        int httpsPort = TestServer.freePort();
        try (var dns = new TestDnsServer();
             var repo = new SiteRepository(temp.resolve("repo"));
             var server = new TestServer(temp.resolve("home"), Map.of("tls.port", Integer.toString(httpsPort),
                     "tls.public-port", Integer.toString(httpsPort), "dns.resolvers", dns.address(),
                     "domains.addresses", SERVER_ADDRESS)).start()) {
            assertThat(server.server().httpsPort()).isEqualTo(httpsPort);
            assertThat(server.server().port()).isEqualTo(server.port());
            var certificates = server.server().servedCertificates();

            // each name its own certificate, chained to the CA that issued it
            var a = issue("a.example.test");
            var b = issue("b.example.test");
            certificates.put("a.example.test", a.key(), a.chain());
            certificates.put("b.example.test", b.key(), b.chain());
            X509Certificate[] shownForA = presented(httpsPort, "a.example.test");
            assertThat(subject(shownForA[0])).isEqualTo("CN=a.example.test");
            assertThat(shownForA[0]).isEqualTo(a.leaf());
            assertThat(shownForA).hasSize(2);
            shownForA[0].verify(CA.authority().getPublicKey());
            X509Certificate shownForB = presented(httpsPort, "b.example.test")[0];
            assertThat(subject(shownForB)).isEqualTo("CN=b.example.test");
            shownForB.verify(CA.authority().getPublicKey());

            // a renewed certificate is presented by the next handshake: same server, no restart
            var renewed = issue("a.example.test");
            certificates.put("a.example.test", renewed.key(), renewed.chain());
            assertThat(presented(httpsPort, "a.example.test")[0]).isEqualTo(renewed.leaf())
                    .isNotEqualTo(a.leaf());
            assertThat(presented(httpsPort, "b.example.test")[0]).isEqualTo(b.leaf());

            // no SNI, or a name without a certificate: the default, self-signed for the public URL's host
            for (String name : new String[] {null, "unknown.example.test"}) {
                X509Certificate fallback = presented(httpsPort, name)[0];
                assertThat(subject(fallback)).as(name).isEqualTo("CN=localhost");
                assertThat(fallback.getIssuerX500Principal()).as(name).isEqualTo(fallback.getSubjectX500Principal());
            }

            // a live site on its site host and a custom domain
            repo.commitMessage("over tls");
            long projectId = server.json("POST", "/api/v1/projects", Map.of("name", "My Site",
                    "repositoryUrl", repo.directory().toString(), "branch", "main"), 201).get("id").asLong();
            long deployment = server.json("POST", "/api/v1/projects/" + projectId + "/deployments", Map.of(), 201)
                    .get("id").asLong();
            assertThat(server.awaitFinal(deployment).get("status").asText()).isEqualTo("LIVE");
            activate(server, dns, projectId, "www.example.com");

            // without certificates both are served over plain HTTP as before
            for (String host : new String[] {"my-site.localhost", "www.example.com"}) {
                var page = get(server, host, "/");
                assertThat(page.statusCode()).as(host).isEqualTo(200);
                assertThat(page.body()).as(host).contains("<h1>over tls</h1>");
            }

            // with certificates: served over TLS, the name checked as a browser does
            for (String host : new String[] {"my-site.localhost", "www.example.com"}) {
                var issued = issue(host);
                certificates.put(host, issued.key(), issued.chain());
                String answer = httpsGet(httpsPort, host, "/assets/app.css?v=1");
                assertThat(answer).as(host).startsWith("HTTP/1.1 200 ").contains("h1 { color: teal; }");
                assertThat(httpsGet(httpsPort, host, "/")).as(host).startsWith("HTTP/1.1 200 ")
                        .contains("<h1>over tls</h1>");
            }

            // ... and plain HTTP for them is redirected to HTTPS, path and query kept; 308 keeps a POST a POST
            var redirect = get(server, "my-site.localhost", "/assets/app.css?v=2&w=%2F");
            assertThat(redirect.statusCode()).isEqualTo(301);
            assertThat(redirect.headers().firstValue("Location"))
                    .hasValue("https://my-site.localhost:" + httpsPort + "/assets/app.css?v=2&w=%2F");
            var onCustomDomain = get(server, "WWW.Example.com.", "/about");
            assertThat(onCustomDomain.statusCode()).isEqualTo(301);
            assertThat(onCustomDomain.headers().firstValue("Location"))
                    .hasValue("https://www.example.com:" + httpsPort + "/about");
            var post = server.send(HttpRequest.newBuilder(server.uri("/form?x=1"))
                    .header("Host", "www.example.com:" + server.port())
                    .POST(HttpRequest.BodyPublishers.ofString("a=1")));
            assertThat(post.statusCode()).isEqualTo(308);
            assertThat(post.headers().firstValue("Location"))
                    .hasValue("https://www.example.com:" + httpsPort + "/form?x=1");

            // the CA validates HTTP-01 over plain HTTP: never redirected
            server.server().http01Solver().publish("www.example.com", "tok-TLS_1", "tok-TLS_1.thumbprint");
            var challenge = get(server, "www.example.com", "/.well-known/acme-challenge/tok-TLS_1");
            assertThat(challenge.statusCode()).isEqualTo(200);
            assertThat(challenge.body()).isEqualTo("tok-TLS_1.thumbprint");
            assertThat(get(server, "my-site.localhost", "/.well-known/acme-challenge/x").statusCode())
                    .isEqualTo(404);

            // a host without a certificate stays on HTTP
            var uncovered = get(server, "other.localhost", "/");
            assertThat(uncovered.statusCode()).isEqualTo(404);
            assertThat(uncovered.body()).contains("No site is deployed here");

            // taking the certificate away ends the redirect at once
            certificates.remove("www.example.com");
            assertThat(get(server, "www.example.com", "/").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void withoutATlsPortThereIsNoHttpsConnectorAndNothingIsRedirected() throws Exception {
        try (var server = new TestServer(temp.resolve("home"), Map.of()).start()) {
            assertThat(server.server().httpsPort()).isEqualTo(-1);
            assertThat(server.server().port()).isEqualTo(server.port());
            var issued = issue("my-site.localhost");
            server.server().servedCertificates().put("my-site.localhost", issued.key(), issued.chain());

            var response = get(server, "my-site.localhost", "/");
            assertThat(response.statusCode()).isEqualTo(404);
            assertThat(response.headers().firstValue("Location")).isEmpty();
            assertThat(response.body()).contains("No site is deployed here");
            var tlsOnThePlainPort = TlsClients.acceptingAnything().getSocketFactory();
            try (var socket = (SSLSocket) tlsOnThePlainPort.createSocket("127.0.0.1", server.port())) {
                socket.setSoTimeout(10_000);
                assertThatThrownBy(socket::startHandshake)
                        .isInstanceOf(IOException.class);
            }
        }
    }

    /** Makes {@code host} an active custom domain of the project: the ownership TXT record and a CNAME. */
    private static void activate(TestServer server, TestDnsServer dns, long projectId, String host)
            throws Exception {
        String domains = "/api/v1/projects/" + projectId + "/domains";
        JsonNode domain = server.json("POST", domains, Map.of("domain", host), 201);
        dns.txt("_miaobu-challenge." + host, domain.get("txtValue").asText()).cname(host, "my-site.localhost");
        assertThat(server.json("POST", domains + "/" + domain.get("id").asLong() + "/check", null, 200)
                .get("status").asText()).isEqualTo("ACTIVE");
    }

    private static TestCertificates.Issued issue(String name) {
        return CA.issue(List.of(name), Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofDays(90)));
    }

    private static String subject(X509Certificate certificate) {
        return certificate.getSubjectX500Principal().getName();
    }

    /** The chain the HTTPS connector presents for {@code sni} (none when null), whoever issued it. */
    private static X509Certificate[] presented(int port, String sni) throws IOException {
        try (var socket = (SSLSocket) TlsClients.acceptingAnything().getSocketFactory()
                .createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            var parameters = socket.getSSLParameters();
            parameters.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return (X509Certificate[]) socket.getSession().getPeerCertificates();
        }
    }

    /**
     * A GET over TLS to 127.0.0.1 as a browser sends it for {@code https://host/...}: SNI {@code host}, the chain
     * checked against the test CA and the name against {@code host}; the whole raw answer.
     */
    private static String httpsGet(int port, String host, String pathAndQuery) throws IOException {
        SSLContext trustingTheCa = TlsClients.trusting(CA.authority());
        try (var plain = new Socket("127.0.0.1", port);
             var socket = (SSLSocket) trustingTheCa.getSocketFactory().createSocket(plain, host, port, true)) {
            socket.setSoTimeout(10_000);
            var parameters = socket.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName(host)));
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static HttpResponse<String> get(TestServer server, String host, String path) throws Exception {
        return server.send(HttpRequest.newBuilder(server.uri(path)).header("Host", host + ":" + server.port()).GET());
    }
}
