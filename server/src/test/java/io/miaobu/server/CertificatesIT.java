package io.miaobu.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.miaobu.api.MiaobuExtension;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.dns.DnsProvider;
import io.miaobu.api.dns.DnsRecord;
import io.miaobu.plugin.acme.pebble.PebbleServer;
import io.miaobu.server.domain.TestDnsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificates end to end, against a real ACME CA (Pebble): a custom domain served by the built-in server gets its
 * certificate over HTTP-01 as soon as it is active, and Miaobu's TLS port presents it (checked against Pebble's root)
 * and serves the site over HTTPS; moved to 29 days before expiry, the scheduler renews it and the same server presents
 * the new one; a second domain gets its certificate over DNS-01 through a DNS provider that writes Pebble's DNS.
 */
class CertificatesIT {

    @TempDir
    Path temp;

    @Test
    void issuesOverHttp01ServesOverTlsRenewsWithoutARestartAndIssuesOverDns01() throws Exception {
        assumeTrue(PebbleServer.installed(), "pebble is not installed (.ci/run installs it)");
        var clock = new OffsetClock();
        var pebbleDns = new PebbleDns();
        try (var dns = new TestDnsServer();
             var repo = new SiteRepository(temp.resolve("repo"));
             var server = new TestServer(temp.resolve("home"), Map.of("dns.resolvers", dns.address(),
                     "tls.port", "0", "certificates.check.interval", "PT1S"), List.<MiaobuExtension>of(pebbleDns))
                     .withClock(clock);
             var pebble = PebbleServer.start(java.nio.file.Files.createDirectories(temp.resolve("pebble")),
                     server.port())) {
            pebbleDns.pebble = pebble;
            server.start();
            server.json("PUT", "/api/v1/extensions/CertificateIssuer/acme/settings", Map.of("values", Map.of(
                    "directory-url", pebble.directoryUrl(), "trust-store-pem", pebble.tlsCertificatePem(),
                    "contact-email", "admin@example.test", "challenge", "http-01")), 200);

            repo.commitMessage("served over https");
            long projectId = server.json("POST", "/api/v1/projects", Map.of("name", "Shop",
                    "repositoryUrl", repo.directory().toString(), "branch", "main"), 201).get("id").asLong();
            long deployment = server.json("POST", "/api/v1/projects/" + projectId + "/deployments", Map.of(), 201)
                    .get("id").asLong();
            assertThat(server.awaitFinal(deployment).get("status").asText()).isEqualTo("LIVE");

            // HTTP-01: the domain becomes active, its certificate is ordered at once and Pebble fetches the answer
            // from this server (every name resolves to 127.0.0.1 in Pebble's DNS)
            long shop = activeDomain(server, dns, projectId, "shop.example.test");
            String certificate = "/api/v1/projects/" + projectId + "/domains/" + shop + "/certificate";
            JsonNode issued = await(server, certificate, c -> c.get("status").asText().equals("ISSUED"),
                    Duration.ofSeconds(90));
            assertThat(issued.get("source").asText()).isEqualTo("ISSUED");
            assertThat(issued.get("issuer").asText()).isEqualTo("acme");
            assertThat(issued.get("names")).extracting(JsonNode::asText).containsExactly("shop.example.test");
            assertThat(issued.get("lastError").isNull()).isTrue();

            X509Certificate root = pebble.issuingRoot();
            List<X509Certificate> presented = handshake(server.server().httpsPort(), "shop.example.test");
            assertThat(serialOf(presented.get(0))).isEqualTo(issued.get("serial").asText());
            assertChainsTo(presented, root);
            assertThat(presented.get(0).getSubjectAlternativeNames().stream().map(san -> (Object) san.get(1)))
                    .containsExactly("shop.example.test");
            assertThat(httpsGet(server.server().httpsPort(), "shop.example.test", "/"))
                    .startsWith("HTTP/1.1 200").contains("<h1>served over https</h1>");

            // 29 days before it expires (the server's clock moved, the server kept running): renewed and served
            Instant notAfter = Instant.parse(issued.get("notAfter").asText());
            clock.advance(Duration.between(Instant.now(), notAfter.minus(Duration.ofDays(29))));
            server.forgetToken();
            JsonNode renewed = await(server, certificate,
                    c -> !c.get("serial").asText().equals(issued.get("serial").asText()), Duration.ofSeconds(90));
            assertThat(Instant.parse(renewed.get("issuedAt").asText())).isAfter(notAfter.minus(Duration.ofDays(30)));
            List<X509Certificate> afterRenewal = handshake(server.server().httpsPort(), "shop.example.test");
            assertThat(serialOf(afterRenewal.get(0))).isEqualTo(renewed.get("serial").asText());
            assertChainsTo(afterRenewal, root);

            // DNS-01: the issuer asked for DNS-01, the DNS provider that manages the zone writes Pebble's DNS
            server.json("PUT", "/api/v1/extensions/CertificateIssuer/acme/settings", Map.of("values", Map.of(
                    "directory-url", pebble.directoryUrl(), "trust-store-pem", pebble.tlsCertificatePem(),
                    "contact-email", "admin@example.test", "challenge", "dns-01")), 200);
            long blog = activeDomain(server, dns, projectId, "blog.dns.example.test");
            String blogCertificate = "/api/v1/projects/" + projectId + "/domains/" + blog + "/certificate";
            JsonNode viaDns = await(server, blogCertificate, c -> c.get("status").asText().equals("ISSUED"),
                    Duration.ofSeconds(90));
            assertThat(pebbleDns.log).containsExactly("create _acme-challenge.blog.dns.example.test",
                    "delete _acme-challenge.blog.dns.example.test");
            List<X509Certificate> blogChain = handshake(server.server().httpsPort(), "blog.dns.example.test");
            assertThat(serialOf(blogChain.get(0))).isEqualTo(viaDns.get("serial").asText());
            assertChainsTo(blogChain, root);

            // the admin's list: both, with their issuer and expiry
            JsonNode all = server.json("GET", "/api/v1/admin/certificates", null, 200).get("items");
            assertThat(all).extracting(c -> c.get("domain").asText())
                    .containsExactlyInAnyOrder("shop.example.test", "blog.dns.example.test");
            assertThat(all).allSatisfy(c -> assertThat(c.get("issuedBy").asText()).containsIgnoringCase("pebble"));
            String page = server.send(java.net.http.HttpRequest.newBuilder(server.uri("/admin/certificates"))
                    .header("Authorization", "Bearer " + server.token()).GET()).body();
            assertThat(page).contains("shop.example.test").contains("blog.dns.example.test");
        }
    }

    private static long activeDomain(TestServer server, TestDnsServer dns, long projectId, String host)
            throws Exception {
        String domains = "/api/v1/projects/" + projectId + "/domains";
        JsonNode added = server.json("POST", domains, Map.of("domain", host), 201);
        dns.txt("_miaobu-challenge." + host, added.get("txtValue").asText()).cname(host,
                added.get("cnameTarget").asText());
        JsonNode checked = server.json("POST", domains + "/" + added.get("id").asLong() + "/check", null, 200);
        assertThat(checked.get("status").asText()).as(checked.toString()).isEqualTo("ACTIVE");
        return added.get("id").asLong();
    }

    private static JsonNode await(TestServer server, String path, Predicate<JsonNode> done, Duration limit)
            throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        JsonNode current = server.json("GET", path, null, 200);
        while (!done.test(current)) {
            assertThat(System.nanoTime()).as("waiting for " + path + "; last: " + current).isLessThan(deadline);
            java.util.concurrent.locks.LockSupport.parkNanos(100_000_000);
            current = server.json("GET", path, null, 200);
        }
        return current;
    }

    /** What the TLS port presents for {@code host} (SNI), trusting anything: the caller checks the chain. */
    private static List<X509Certificate> handshake(int port, String host) throws Exception {
        try (SSLSocket socket = socket(port, host)) {
            socket.startHandshake();
            return Arrays.stream(socket.getSession().getPeerCertificates()).map(c -> (X509Certificate) c).toList();
        }
    }

    private static String httpsGet(int port, String host, String path) throws Exception {
        try (SSLSocket socket = socket(port, host)) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static SSLSocket socket(int port, String host) throws Exception {
        SSLSocket socket = (SSLSocket) io.miaobu.server.tls.TlsClients.acceptingAnything().getSocketFactory()
                .createSocket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        var parameters = socket.getSSLParameters();
        parameters.setServerNames(List.of(new SNIHostName(host)));
        socket.setSSLParameters(parameters);
        return socket;
    }

    /** As the API prints serials: upper-case hex, an even number of digits (openssl's way). */
    private static String serialOf(X509Certificate certificate) {
        String hex = certificate.getSerialNumber().toString(16).toUpperCase(java.util.Locale.ROOT);
        return hex.length() % 2 == 0 ? hex : "0" + hex;
    }

    private static void assertChainsTo(List<X509Certificate> chain, X509Certificate root) throws Exception {
        var path = CertificateFactory.getInstance("X.509").generateCertPath(chain);
        var parameters = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
        parameters.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(path, parameters);
    }

    /** A DNS host for {@code dns.example.test} whose records are Pebble's DNS (pebble-challtestsrv). */
    static final class PebbleDns implements DnsProvider {
        volatile PebbleServer pebble;
        final List<String> log = new CopyOnWriteArrayList<>();

        @Override
        public String id() {
            return "pebble-dns";
        }

        @Override
        public String displayName() {
            return "Pebble's DNS";
        }

        @Override
        public boolean manages(ConfigValues global, String domain) {
            return domain.endsWith(".dns.example.test");
        }

        @Override
        public String createRecord(ConfigValues global, DnsRecord record) {
            log.add("create " + record.name());
            try {
                pebble.setTxt(record.name(), record.value());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            return record.name();
        }

        @Override
        public void deleteRecord(ConfigValues global, String recordId) {
            log.add("delete " + recordId);
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
