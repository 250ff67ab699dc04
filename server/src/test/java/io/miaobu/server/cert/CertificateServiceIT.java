package io.miaobu.server.cert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.miaobu.api.ExtensionException;
import io.miaobu.api.MiaobuExtension;
import io.miaobu.api.Secret;
import io.miaobu.api.cert.CertificateBundle;
import io.miaobu.api.cert.CertificateIssuer;
import io.miaobu.api.cert.CertificateOrder;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.dns.DnsProvider;
import io.miaobu.api.dns.DnsRecord;
import io.miaobu.server.audit.Actor;
import io.miaobu.server.audit.AuditLog;
import io.miaobu.server.boot.CertificateConfig;
import io.miaobu.server.deploy.UnusedCdnProvider;
import io.miaobu.server.outbound.GuardedOutboundHttp;
import io.miaobu.server.outbound.OutboundAddressPolicy;
import io.miaobu.server.persistence.TestDatabase;
import io.miaobu.server.plugin.ExtensionRegistry;
import io.miaobu.server.plugin.PluginHost;
import io.miaobu.server.ratelimit.MutableClock;
import io.miaobu.server.secrets.SecretBox;
import io.miaobu.server.web.UserFacingException;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The certificate service on H2 and PostgreSQL (so V011 runs on both) with a clock the test moves: first issuance,
 * renewal 30 days before expiry, retries with backoff and the 21/7/1-day warnings, the lease that keeps two nodes
 * from renewing one domain at once, DNS-01 through a DNS provider and installing on a CDN, uploads, and serving what
 * the database holds after a restart. The CA is a test issuer signing with {@link TestCertificates}; the real ACME
 * exchange is {@code CertificatesIT}'s.
 */
class CertificateServiceIT {

    private static final Actor ADA = new Actor(null, "ada", "127.0.0.1");

    @TempDir
    Path temp;

    private TestDatabase database;
    private PluginHost plugins;
    private final MutableClock clock = new MutableClock();
    private final TestCertificates ca = TestCertificates.newAuthority("Test CA");
    private final TestIssuer issuer = new TestIssuer();
    private final TestDns dns = new TestDns();
    private final TestCdn cdn = new TestCdn();
    private final Served served = new Served();
    private final List<String> events = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() throws Exception {
        if (plugins != null) {
            plugins.stop();
        }
        if (database != null) {
            database.close();
        }
    }

    private CertificateService open(String kind, MiaobuExtension... extensions) throws Exception {
        // today, so that the test CA (valid from yesterday) signed what the moved clock sees
        clock.advance(Duration.between(clock.instant(), Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));
        database = TestDatabase.open(kind, temp);
        plugins = new PluginHost(Files.createDirectories(temp.resolve("plugins")), temp.resolve("plugin-data"),
                new PluginHost.HostFacts("0.1.0", URI.create("http://localhost:8080/"), "localhost", 8080,
                        temp.resolve("sites")), new GuardedOutboundHttp(OutboundAddressPolicy.publicOnly()), clock);
        plugins.start();
        return service("node-a", served, List.of(extensions));
    }

    private CertificateService service(String node, CertificateService.TlsEndpoint where,
                                       List<MiaobuExtension> extensions) {
        return new CertificateService(database.jdbi(), new ExtensionRegistry(plugins, extensions),
                (point, extension) -> ConfigValues.EMPTY, new NoHttp01(), new SecretBox(temp.resolve("keys")),
                where, true, new Events(), new AuditLog(database.jdbi(), clock), CertificateConfig.defaults(), node,
                clock);
    }

    private long domain(String host, String deployTarget) {
        Jdbi jdbi = database.jdbi();
        return jdbi.withHandle(handle -> {
            long project = handle.createUpdate("""
                            INSERT INTO projects (slug, name, repository_url, branch, source_provider, builder,
                                deploy_target, created_at, updated_at)
                            VALUES (:slug, :slug, 'https://github.com/octo/site.git', 'main', 'git', 'node',
                                :target, :now, :now)""")
                    .bind("slug", host.replace('.', '-')).bind("target", deployTarget).bind("now", clock.instant())
                    .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
            return handle.createUpdate("""
                            INSERT INTO custom_domains (project_id, host, token, status, is_primary, created_at)
                            VALUES (:project, :host, 'token', 'ACTIVE', TRUE, :now)""")
                    .bind("project", project).bind("host", host).bind("now", clock.instant())
                    .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
        });
    }

    private long projectOf(long domainId) {
        return database.jdbi().withHandle(handle -> handle.createQuery(
                "SELECT project_id FROM custom_domains WHERE id = :id").bind("id", domainId).mapTo(Long.class).one());
    }

    private DomainCertificate stored(CertificateService service, long domainId) {
        return service.store().forDomain(domainId).orElseThrow();
    }

    @ParameterizedTest
    @MethodSource("io.miaobu.server.persistence.TestDatabase#kinds")
    void issuesACertificateForAnActiveDomainAndServesIt(String kind) throws Exception {
        CertificateService service = open(kind, issuer);
        long domain = domain("www.example.test", "local-storage");

        service.runOnce();

        DomainCertificate certificate = stored(service, domain);
        assertThat(certificate.status()).isEqualTo(CertificateStatus.ISSUED);
        assertThat(certificate.source()).isEqualTo(CertificateSource.ISSUED);
        assertThat(certificate.issuerId()).isEqualTo("test-ca");
        assertThat(certificate.names()).containsExactly("www.example.test");
        assertThat(certificate.notAfter()).isEqualTo(issuer.lastNotAfter);
        assertThat(certificate.renewAfter()).isEqualTo(issuer.lastNotAfter.minus(Duration.ofDays(30)));
        assertThat(served.serialOf("www.example.test")).isEqualTo(certificate.serial());
        assertThat(served.chain.get("www.example.test")).hasSize(2);
        assertThat(issuer.orders).containsExactly("www.example.test http01");
        assertThat(events).containsExactly("issued www.example.test");
        // the key is stored sealed, not as PEM
        assertThat(service.store().sealedKey(certificate.id()).orElseThrow()).doesNotContain("PRIVATE KEY");

        service.runOnce();
        assertThat(issuer.orders).hasSize(1);
    }

    @ParameterizedTest
    @MethodSource("io.miaobu.server.persistence.TestDatabase#kinds")
    void renewsThirtyDaysBeforeExpiryAndServesTheNewCertificateAtOnce(String kind) throws Exception {
        CertificateService service = open(kind, issuer);
        long domain = domain("www.example.test", "local-storage");
        service.runOnce();
        String first = stored(service, domain).serial();

        clock.advance(Duration.ofDays(59));
        service.runOnce();
        assertThat(issuer.orders).hasSize(1);

        clock.advance(Duration.ofDays(1).plusMinutes(1));
        service.runOnce();
        DomainCertificate renewed = stored(service, domain);
        assertThat(issuer.orders).hasSize(2);
        assertThat(renewed.serial()).isNotEqualTo(first);
        assertThat(served.serialOf("www.example.test")).isEqualTo(renewed.serial());
        assertThat(events).containsExactly("issued www.example.test", "renewed www.example.test");
    }

    @ParameterizedTest
    @MethodSource("io.miaobu.server.persistence.TestDatabase#kinds")
    void retriesAFailingRenewalWithBackoffAndWarnsTwentyOneSevenAndOneDayBeforeExpiry(String kind) throws Exception {
        CertificateService service = open(kind, issuer);
        long domain = domain("www.example.test", "local-storage");
        service.runOnce();
        DomainCertificate first = stored(service, domain);

        issuer.failWith = "The CA could not validate www.example.test over HTTP-01: connection refused";
        clock.advance(Duration.ofDays(60).plusMinutes(1));
        service.runOnce();
        DomainCertificate failing = stored(service, domain);
        assertThat(failing.status()).isEqualTo(CertificateStatus.ISSUED);
        assertThat(failing.attempts()).isEqualTo(1);
        assertThat(failing.lastError()).isEqualTo(issuer.failWith);
        assertThat(failing.renewAfter()).isEqualTo(clock.instant().plus(Duration.ofMinutes(10)));
        assertThat(events).containsExactly("issued www.example.test",
                "failing www.example.test: " + issuer.failWith);
        // the old certificate is still served
        assertThat(served.serialOf("www.example.test")).isEqualTo(first.serial());

        // not before the backoff has passed; then the wait doubles
        service.runOnce();
        assertThat(issuer.orders).hasSize(2);
        clock.advance(Duration.ofMinutes(10));
        service.runOnce();
        assertThat(issuer.orders).hasSize(3);
        assertThat(stored(service, domain).renewAfter()).isEqualTo(clock.instant().plus(Duration.ofMinutes(20)));
        assertThat(events).hasSize(2);

        // nine days before the 21-day mark nothing is said; at it, once
        clock.advance(Duration.between(clock.instant(), first.notAfter().minus(Duration.ofDays(21))));
        service.runOnce();
        assertThat(events).last().isEqualTo("expiring www.example.test in 21 days: " + issuer.failWith);
        int said = events.size();
        service.runOnce();
        assertThat(events).hasSize(said);
        clock.advance(Duration.ofDays(14));
        service.runOnce();
        assertThat(events).last().isEqualTo("expiring www.example.test in 7 days: " + issuer.failWith);
        clock.advance(Duration.ofDays(6));
        service.runOnce();
        assertThat(events).last().isEqualTo("expiring www.example.test in 1 days: " + issuer.failWith);
        assertThat(events.stream().filter(e -> e.startsWith("expiring"))).hasSize(3);
        assertThat(stored(service, domain).renewAfter())
                .isBeforeOrEqualTo(clock.instant().plus(CertificateConfig.defaults().maxRetryDelay()));

        // the CA is back: the next retry renews and clears the error
        issuer.failWith = null;
        clock.advance(CertificateConfig.defaults().maxRetryDelay());
        service.runOnce();
        DomainCertificate renewed = stored(service, domain);
        assertThat(renewed.lastError()).isNull();
        assertThat(renewed.attempts()).isZero();
        assertThat(renewed.warnedDays()).isNull();
        assertThat(served.serialOf("www.example.test")).isEqualTo(renewed.serial()).isNotEqualTo(first.serial());
        assertThat(events).last().isEqualTo("renewed www.example.test");
    }

    @ParameterizedTest
    @MethodSource("io.miaobu.server.persistence.TestDatabase#kinds")
    void neverRunsTwoAttemptsForOneDomainAtOnceAcrossNodes(String kind) throws Exception {
        CertificateService nodeA = open(kind, issuer);
        long domain = domain("www.example.test", "local-storage");
        CertificateService nodeB = service("node-b", new Served(), List.of(issuer));
        DomainCertificate pending = nodeA.store().request(domain, "www.example.test", "test-ca", clock.instant());

        // another node holds the lease: this one leaves the domain alone until the lease runs out
        assertThat(nodeA.store().claim(pending.id(), "node-c/1", clock.instant(), CertificateService.LEASE)).isTrue();
        nodeA.runOnce();
        assertThat(issuer.orders).isEmpty();
        clock.advance(CertificateService.LEASE.plusSeconds(1));

        // two nodes at once, the CA slow: one orders, the other skips
        issuer.hold = new CountDownLatch(1);
        var a = new Thread(() -> run(nodeA));
        var b = new Thread(() -> run(nodeB));
        a.start();
        b.start();
        assertThat(issuer.entered.await(10, TimeUnit.SECONDS)).isTrue();
        // the second node's round ends without waiting for the CA
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while ((a.isAlive() && b.isAlive()) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(a.isAlive() && b.isAlive()).as("one node finished while the other waits for the CA").isFalse();
        issuer.hold.countDown();
        a.join(10_000);
        b.join(10_000);
        assertThat(issuer.calls.get()).isEqualTo(1);
        assertThat(stored(nodeA, domain).status()).isEqualTo(CertificateStatus.ISSUED);
    }

    private static void run(CertificateService service) {
        try {
            service.runOnce();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @ParameterizedTest
    @MethodSource("io.miaobu.server.persistence.TestDatabase#kinds")
    void aDomainServedByACdnIsValidatedOverDns01AndItsCertificateInstalledOnTheCdn(String kind) throws Exception {
        CertificateService service = open(kind, issuer, dns, cdn);
        long domain = domain("shop.dns.example.test", "cdn-target");

        service.runOnce();

        assertThat(issuer.orders).containsExactly("shop.dns.example.test dns01");
        assertThat(dns.log).containsExactly("create TXT _acme-challenge.shop.dns.example.test = digest-1 ttl 600",
                "await _acme-challenge.shop.dns.example.test", "delete _acme-challenge.shop.dns.example.test");
        DomainCertificate certificate = stored(service, domain);
        assertThat(certificate.cdnInstalledAt()).isEqualTo(clock.instant());
        assertThat(cdn.installed).containsOnlyKeys("shop.dns.example.test");
        assertThat(cdn.installed.get("shop.dns.example.test").certificatePem())
                .isEqualTo(certificate.certificatePem());
        assertThat(cdn.installed.get("shop.dns.example.test").privateKeyPem().reveal()).contains("PRIVATE KEY");

        // the CDN refuses a renewal's certificate: recorded, and tried again every round until it takes it
        cdn.refuse = "InvalidCertificate.TooMany";
        clock.advance(Duration.ofDays(61));
        service.runOnce();
        assertThat(stored(service, domain).cdnError()).isEqualTo("The CDN refused the certificate: "
                + "InvalidCertificate.TooMany");
        cdn.refuse = null;
        service.runOnce();
        assertThat(stored(service, domain).cdnError()).isNull();
        assertThat(cdn.installed.get("shop.dns.example.test").certificatePem())
                .isEqualTo(stored(service, domain).certificatePem());
    }

    @ParameterizedTest
    @MethodSource("io.miaobu.server.persistence.TestDatabase#kinds")
    void aCdnDomainWithoutADnsProviderFailsWithTheReasonInWords(String kind) throws Exception {
        CertificateService service = open(kind, issuer, cdn);
        long domain = domain("shop.elsewhere.test", "cdn-target");
        service.runOnce();
        DomainCertificate certificate = stored(service, domain);
        assertThat(certificate.status()).isEqualTo(CertificateStatus.FAILED);
        assertThat(certificate.lastError()).isEqualTo("shop.elsewhere.test is served by the CDN, so the certificate"
                + " authority cannot reach this server over HTTP: install a DNS provider that manages its zone"
                + " (DNS-01).");
        assertThat(issuer.orders).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("io.miaobu.server.persistence.TestDatabase#kinds")
    void takesAnUploadedCertificateThatFitsAndRefusesOnesThatDoNot(String kind) throws Exception {
        CertificateService service = open(kind);
        long domain = domain("www.example.test", "local-storage");
        long project = projectOf(domain);
        Instant now = clock.instant();
        var good = ca.issue(List.of("www.example.test"), now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(50)));
        var other = ca.issue(List.of("www.example.test"), now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(50)));
        var wrongName = ca.issue(List.of("api.example.test"), now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(50)));
        var expired = ca.issue(List.of("www.example.test"), now.minus(Duration.ofDays(100)),
                now.minus(Duration.ofDays(10)));

        assertThatThrownBy(() -> service.upload(project, domain, good.chainPem(), other.keyPem(), ADA))
                .isInstanceOf(UserFacingException.class).hasMessageContaining("private key")
                .satisfies(e -> assertThat(((UserFacingException) e).status()).isEqualTo(400));
        assertThatThrownBy(() -> service.upload(project, domain, wrongName.chainPem(), wrongName.keyPem(), ADA))
                .isInstanceOf(UserFacingException.class).hasMessageContaining("www.example.test");
        assertThatThrownBy(() -> service.upload(project, domain, expired.chainPem(), expired.keyPem(), ADA))
                .isInstanceOf(UserFacingException.class).hasMessageContaining("expired");
        assertThat(service.store().forDomain(domain)).isEmpty();
        assertThat(served.chain).isEmpty();

        DomainCertificate uploaded = service.upload(project, domain, good.chainPem(), good.keyPem(), ADA);
        assertThat(uploaded.source()).isEqualTo(CertificateSource.UPLOADED);
        assertThat(uploaded.serial()).isEqualTo(CertificateNames.serial(good.leaf()));
        assertThat(served.serialOf("www.example.test")).isEqualTo(uploaded.serial());

        // never renewed by the server, but its owner is warned before it runs out
        clock.advance(Duration.ofDays(28));
        service.runOnce();
        assertThat(events).isEmpty();
        clock.advance(Duration.ofDays(1));
        service.runOnce();
        assertThat(issuer.orders).isEmpty();
        assertThat(events).containsExactly("expiring www.example.test in 21 days: It was uploaded: upload a new one,"
                + " or remove it to get one automatically.");
    }

    @ParameterizedTest
    @MethodSource("io.miaobu.server.persistence.TestDatabase#kinds")
    void afterARestartServesWhatTheDatabaseHoldsAndStopsServingRemovedDomains(String kind) throws Exception {
        CertificateService service = open(kind, issuer);
        long domain = domain("www.example.test", "local-storage");
        service.runOnce();
        String serial = stored(service, domain).serial();

        var afterRestart = new Served();
        CertificateService restarted = service("node-a", afterRestart, List.of(issuer));
        restarted.loadServed();
        assertThat(afterRestart.serialOf("www.example.test")).isEqualTo(serial);
        assertThat(afterRestart.keys.get("www.example.test").getAlgorithm()).isEqualTo("EC");

        database.jdbi().useHandle(handle -> handle.createUpdate("DELETE FROM custom_domains WHERE id = :id")
                .bind("id", domain).execute());
        restarted.runOnce();
        assertThat(afterRestart.chain).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("io.miaobu.server.persistence.TestDatabase#kinds")
    void askingForACertificateNeedsAnIssuerAndAnActiveDomain(String kind) throws Exception {
        CertificateService withoutIssuer = open(kind);
        long domain = domain("www.example.test", "local-storage");
        long project = projectOf(domain);
        assertThatThrownBy(() -> withoutIssuer.requestNow(project, domain, ADA))
                .isInstanceOf(UserFacingException.class).hasMessageContaining("No certificate issuer is installed");
        assertThatThrownBy(() -> withoutIssuer.requestNow(project + 1, domain, ADA))
                .isInstanceOf(UserFacingException.class).hasMessage("No such domain in this project.");

        CertificateService service = service("node-a", served, List.of(issuer));
        database.jdbi().useHandle(handle -> handle.createUpdate(
                "UPDATE custom_domains SET status = 'PENDING_DNS' WHERE id = :id").bind("id", domain).execute());
        assertThatThrownBy(() -> service.requestNow(project, domain, ADA))
                .isInstanceOf(UserFacingException.class).hasMessageContaining("is not active yet");
        service.runOnce();
        assertThat(issuer.orders).isEmpty();
    }

    /** Records what the TLS connector would serve. */
    private static final class Served implements CertificateService.TlsEndpoint {
        final Map<String, List<X509Certificate>> chain = new ConcurrentHashMap<>();
        final Map<String, PrivateKey> keys = new ConcurrentHashMap<>();

        @Override
        public void serve(String host, PrivateKey key, List<X509Certificate> certificates) {
            chain.put(host, List.copyOf(certificates));
            keys.put(host, key);
        }

        @Override
        public void stopServing(String host) {
            chain.remove(host);
            keys.remove(host);
        }

        String serialOf(String host) {
            List<X509Certificate> certificates = chain.get(host);
            return certificates == null ? null : CertificateNames.serial(certificates.get(0));
        }
    }

    private final class Events implements CertificateService.Events {
        @Override
        public void issued(long projectId, String host, Instant notAfter, boolean renewal) {
            events.add((renewal ? "renewed " : "issued ") + host);
        }

        @Override
        public void failing(long projectId, String host, Instant notAfter, String error) {
            events.add("failing " + host + ": " + error);
        }

        @Override
        public void expiring(long projectId, String host, Instant notAfter, String lastError) {
            events.add("expiring " + host + " in " + Duration.between(clock.instant(), notAfter).toDays() + " days: "
                    + lastError);
        }
    }

    /** A CA that signs 90-day certificates with the test authority, or fails with the CA's words. */
    private final class TestIssuer implements CertificateIssuer {
        final List<String> orders = new CopyOnWriteArrayList<>();
        final AtomicInteger calls = new AtomicInteger();
        final CountDownLatch entered = new CountDownLatch(1);
        volatile CountDownLatch hold;
        volatile String failWith;
        volatile Instant lastNotAfter;

        @Override
        public String id() {
            return "test-ca";
        }

        @Override
        public String displayName() {
            return "Test CA";
        }

        @Override
        public CertificateBundle issue(CertificateOrder order) throws InterruptedException {
            calls.incrementAndGet();
            entered.countDown();
            if (hold != null) {
                hold.await(10, TimeUnit.SECONDS);
            }
            String host = order.domains().get(0);
            orders.add(host + (order.http01() != null ? " http01" : order.dns01() != null ? " dns01" : " none"));
            if (order.http01() == null && order.dns01() != null) {
                String id = order.dns01().publish(host, "digest-" + orders.size(), Duration.ofSeconds(1));
                order.dns01().remove(id);
            }
            if (failWith != null) {
                throw new ExtensionException(failWith);
            }
            Instant now = clock.instant();
            lastNotAfter = now.plus(Duration.ofDays(90));
            var issued = ca.issue(order.domains(), now.minus(Duration.ofHours(1)), lastNotAfter);
            return new CertificateBundle(order.domains(), issued.chainPem(), Secret.of(issued.keyPem()),
                    issued.leaf().getNotBefore().toInstant(), lastNotAfter);
        }
    }

    /** A DNS host for {@code dns.example.test} that records what it is asked to do. */
    private static final class TestDns implements DnsProvider {
        final List<String> log = new CopyOnWriteArrayList<>();
        final Map<String, DnsRecord> records = new ConcurrentHashMap<>();

        @Override
        public String id() {
            return "test-dns";
        }

        @Override
        public String displayName() {
            return "Test DNS";
        }

        @Override
        public boolean manages(ConfigValues global, String domain) {
            return domain.endsWith(".dns.example.test");
        }

        @Override
        public String createRecord(ConfigValues global, DnsRecord record) {
            log.add("create " + record.type() + " " + record.name() + " = " + record.value() + " ttl " + record.ttl());
            records.put(record.name(), record);
            return record.name();
        }

        @Override
        public void awaitVisible(ConfigValues global, String recordId, DnsRecord record, Duration waitAtMost) {
            log.add("await " + recordId);
        }

        @Override
        public void deleteRecord(ConfigValues global, String recordId) {
            log.add("delete " + recordId);
            records.remove(recordId);
        }
    }

    /** The CDN of the deploy target {@code cdn-target}. */
    private static final class TestCdn extends UnusedCdnProvider {
        final Map<String, CertificateBundle> installed = new ConcurrentHashMap<>();
        volatile String refuse;

        @Override
        public String id() {
            return "cdn-target";
        }

        @Override
        public String displayName() {
            return "Test CDN";
        }

        @Override
        public void unbindDomain(ConfigValues global, String domain) {
        }

        @Override
        public void installCertificate(ConfigValues global, String domain, CertificateBundle certificate) {
            if (refuse != null) {
                throw new ExtensionException(refuse);
            }
            installed.put(domain, certificate);
        }
    }

    /** This server's HTTP-01 answers; the test issuer does not call it. */
    private static final class NoHttp01 implements io.miaobu.api.cert.Http01Solver {
        @Override
        public void publish(String domain, String token, String keyAuthorization) {
        }

        @Override
        public void remove(String domain, String token) {
        }
    }
}
