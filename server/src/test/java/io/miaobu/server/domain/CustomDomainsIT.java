package io.miaobu.server.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.miaobu.api.ExtensionException;
import io.miaobu.api.cdn.DomainBinding;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.server.audit.Actor;
import io.miaobu.server.audit.AuditLog;
import io.miaobu.server.boot.DomainConfig;
import io.miaobu.server.deploy.UnusedCdnProvider;
import io.miaobu.server.persistence.TestDatabase;
import io.miaobu.server.site.CustomDomainLookup.Route;
import io.miaobu.server.web.UserFacingException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Custom domains on H2 and PostgreSQL (so V010 and V012 run on both), checked against a local DNS server whose records
 * the test sets, and bound at a CDN the test controls for projects whose deploy target has one.
 */
class CustomDomainsIT {

    private static final Instant NOW = Instant.parse("2026-11-26T10:15:30Z");
    private static final Actor ADA = new Actor(null, "ada", "127.0.0.1");
    private static final String SERVER_ADDRESS = "192.0.2.10";

    @TempDir
    static Path temp;

    private TestDatabase database;
    private TestDnsServer dns;
    private final DomainRoutes routes = new DomainRoutes();
    private final List<String> changes = new ArrayList<>();

    private CustomDomains open(String kind) throws Exception {
        return open(kind, CdnDomains.NONE);
    }

    private CustomDomains open(String kind, CdnDomains cdn) throws Exception {
        database = TestDatabase.open(kind, temp);
        dns = new TestDnsServer();
        var config = new DomainConfig(Optional.empty(), List.of(InetAddress.getByName(SERVER_ADDRESS)),
                List.of(dns.address()), Duration.ofMinutes(10));
        var check = new DnsCheck(DnsResolvers.of(config.dnsResolvers(), Duration.ofSeconds(2)),
                Set.copyOf(config.addresses()));
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        return new CustomDomains(database.jdbi(), check, cdn, routes, "sites.test",
                Set.of("miaobu.example.org"), config,
                new AuditLog(database.jdbi(), clock),
                (projectId, host, active, reason) -> changes.add(host + (active ? " active" : " inactive")), clock);
    }

    @AfterEach
    void close() throws Exception {
        if (dns != null) {
            dns.close();
        }
        if (database != null) {
            database.close();
        }
    }

    private long project(String slug) {
        return project(slug, "local-storage");
    }

    private long project(String slug, String deployTarget) {
        Jdbi jdbi = database.jdbi();
        return jdbi.withHandle(handle -> handle.createUpdate("""
                        INSERT INTO projects (slug, name, repository_url, branch, source_provider, builder,
                            deploy_target, created_at, updated_at)
                        VALUES (:slug, :slug, 'https://github.com/octo/site.git', 'main', 'git', 'node',
                            :target, :now, :now)""")
                .bind("slug", slug).bind("target", deployTarget).bind("now", NOW)
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
    }

    @ParameterizedTest
    @MethodSource("io.miaobu.server.persistence.TestDatabase#kinds")
    void walksFromPendingOwnershipThroughPendingDnsToActiveAndIsServedOnlyWhenActive(String kind) throws Exception {
        CustomDomains domains = open(kind);
        long p = project("site");
        CustomDomain added = domains.add(p, "WWW.Example.COM.", ADA);
        assertThat(added.host()).isEqualTo("www.example.com");
        assertThat(added.status()).isEqualTo(DomainStatus.PENDING_OWNERSHIP);
        assertThat(added.token()).hasSize(40);

        var checked = domains.check(p, added.id());
        assertThat(checked.status()).isEqualTo(DomainStatus.PENDING_OWNERSHIP);
        assertThat(checked.reason()).isEqualTo("TXT _miaobu-challenge.www.example.com not found");
        assertThat(checked.checkedAt()).isEqualTo(NOW);

        dns.txt("_miaobu-challenge.www.example.com", "someone else's token");
        assertThat(domains.check(p, added.id()).reason())
                .isEqualTo("TXT _miaobu-challenge.www.example.com does not hold this domain's token");

        dns.txt("_miaobu-challenge.www.example.com", added.token());
        checked = domains.check(p, added.id());
        assertThat(checked.status()).isEqualTo(DomainStatus.PENDING_DNS);
        assertThat(checked.reason()).isEqualTo("No CNAME www.example.com to site.sites.test (or A/AAAA record to "
                + SERVER_ADDRESS + ") found yet");
        assertThat(routes.route("www.example.com")).isNull();

        dns.cname("www.example.com", "site.sites.test");
        checked = domains.check(p, added.id());
        assertThat(checked.status()).isEqualTo(DomainStatus.ACTIVE);
        assertThat(checked.reason()).isNull();
        assertThat(routes.route("www.example.com")).isEqualTo(Route.serve("site"));
        assertThat(changes).containsExactly("www.example.com active");

        // ownership stays proven once seen; a CNAME moved elsewhere is an error and the domain is no longer served
        dns.clear("_miaobu-challenge.www.example.com").clear("www.example.com")
                .cname("www.example.com", "elsewhere.example.net");
        checked = domains.check(p, added.id());
        assertThat(checked.status()).isEqualTo(DomainStatus.ERROR);
        assertThat(checked.reason()).isEqualTo("CNAME www.example.com points to elsewhere.example.net, expected"
                + " site.sites.test");
        assertThat(routes.route("www.example.com")).isNull();
        assertThat(changes).containsExactly("www.example.com active", "www.example.com inactive");
    }

    @ParameterizedTest
    @MethodSource("io.miaobu.server.persistence.TestDatabase#kinds")
    void anApexIsRoutedByAddressRecordsThatAllPointAtTheServer(String kind) throws Exception {
        CustomDomains domains = open(kind);
        long p = project("shop");
        CustomDomain apex = domains.add(p, "example.com", ADA);
        dns.txt("_miaobu-challenge.example.com", apex.token()).a("example.com", SERVER_ADDRESS)
                .a("example.com", "198.51.100.7");
        var checked = domains.check(p, apex.id());
        assertThat(checked.status()).isEqualTo(DomainStatus.ERROR);
        assertThat(checked.reason()).isEqualTo("A/AAAA example.com points to 198.51.100.7, expected " + SERVER_ADDRESS);

        dns.clear("example.com").a("example.com", SERVER_ADDRESS);
        assertThat(domains.check(p, apex.id()).status()).isEqualTo(DomainStatus.ACTIVE);
        assertThat(routes.route("example.com")).isEqualTo(Route.serve("shop"));
    }

    @ParameterizedTest
    @MethodSource("io.miaobu.server.persistence.TestDatabase#kinds")
    void aDomainBelongsToOneProjectOnly(String kind) throws Exception {
        CustomDomains domains = open(kind);
        long first = project("first");
        long second = project("second");
        domains.add(first, "www.example.com", ADA);

        assertThatThrownBy(() -> domains.add(second, "WWW.example.com.", ADA))
                .isInstanceOfSatisfying(UserFacingException.class, e -> assertThat(e.status()).isEqualTo(409))
                .hasMessage("www.example.com belongs to another project");
        assertThatThrownBy(() -> domains.add(first, "www.example.com", ADA))
                .hasMessage("www.example.com is already a domain of this project");
        assertThat(domains.list(second)).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("io.miaobu.server.persistence.TestDatabase#kinds")
    void otherDomainsRedirectToTheActivePrimaryWhenAsked(String kind) throws Exception {
        CustomDomains domains = open(kind);
        long p = project("site");
        CustomDomain apex = domains.add(p, "example.com", ADA);
        CustomDomain www = domains.add(p, "www.example.com", ADA);
        dns.txt("_miaobu-challenge.example.com", apex.token()).a("example.com", SERVER_ADDRESS)
                .txt("_miaobu-challenge.www.example.com", www.token()).cname("www.example.com", "site.sites.test");
        domains.checkAll();

        domains.makePrimary(p, apex.id(), ADA);
        assertThat(routes.route("www.example.com")).as("not asked to redirect").isEqualTo(Route.serve("site"));
        domains.setRedirect(p, www.id(), true, ADA);
        assertThat(routes.route("www.example.com")).isEqualTo(Route.redirect("example.com"));
        assertThat(routes.route("example.com")).isEqualTo(Route.serve("site"));
        assertThatThrownBy(() -> domains.setRedirect(p, apex.id(), true, ADA))
                .hasMessageContaining("example.com is the primary domain");

        // another primary: the old one is no longer primary and the redirect follows the new one
        domains.makePrimary(p, www.id(), ADA);
        assertThat(domains.get(p, apex.id()).primary()).isFalse();
        assertThat(routes.route("www.example.com")).isEqualTo(Route.serve("site"));

        // a restart (fresh routes) loads the same, and removing the project's domain stops serving it
        var reloaded = new DomainRoutes();
        assertThat(reloaded.route("example.com")).isNull();
        domains.remove(p, apex.id(), ADA);
        assertThat(routes.route("example.com")).isNull();
    }

    @ParameterizedTest
    @MethodSource("io.miaobu.server.persistence.TestDatabase#kinds")
    void http01TokensAreStoredSoEveryNodeAnswersThem(String kind) throws Exception {
        open(kind);
        var here = new Http01Challenges(database.jdbi(), Clock.fixed(NOW, ZoneOffset.UTC));
        var otherNode = new Http01Challenges(database.jdbi(), Clock.fixed(NOW, ZoneOffset.UTC));
        here.publish("www.example.com", "tok_EN-1", "tok_EN-1.thumbprint");
        assertThat(otherNode.keyAuthorization("tok_EN-1")).contains("tok_EN-1.thumbprint");
        here.publish("www.example.com", "tok_EN-1", "tok_EN-1.again");
        assertThat(otherNode.keyAuthorization("tok_EN-1")).contains("tok_EN-1.again");
        here.remove("www.example.com", "tok_EN-1");
        assertThat(otherNode.keyAuthorization("tok_EN-1")).isEmpty();
        assertThat(here.keyAuthorization("tok_EN-1")).isEmpty();
        assertThatThrownBy(() -> here.publish("x.example.com", "../etc", "k")).isInstanceOf(
                IllegalArgumentException.class);
    }

    /**
     * The CDN of the deploy target {@code edge}: records every call, names {@code <domain>.edge-cdn.test} as the
     * CNAME target, and can be told to refuse, to report a state, or to have lost a domain.
     */
    static final class TestCdn extends UnusedCdnProvider {

        static final String ID = "edge";
        final List<String> calls = new ArrayList<>();
        final Map<String, DomainBinding.Status> domains = new HashMap<>();
        String refusal;
        String statusRefusal;
        String unbindRefusal;
        Runnable duringBind = () -> { };

        static String cnameOf(String domain) {
            return domain + ".edge-cdn.test";
        }

        @Override
        public String id() {
            return ID;
        }

        @Override
        public String displayName() {
            return "Edge CDN";
        }

        @Override
        public synchronized DomainBinding bindDomain(ConfigValues global, String siteKey, String domain) {
            calls.add("bind " + siteKey + " " + domain + " " + global.get("account", ""));
            duringBind.run();
            if (refusal != null) {
                throw new ExtensionException(refusal);
            }
            domains.putIfAbsent(domain, DomainBinding.Status.CONFIGURING);
            return new DomainBinding(domain, domains.get(domain), cnameOf(domain), "Setting it up.");
        }

        @Override
        public synchronized DomainBinding domainStatus(ConfigValues global, String domain) {
            calls.add("status " + domain);
            if (statusRefusal != null) {
                throw new ExtensionException(statusRefusal);
            }
            DomainBinding.Status status = domains.get(domain);
            return status == null ? new DomainBinding(domain, DomainBinding.Status.OFFLINE, "", "Not on this CDN.")
                    : new DomainBinding(domain, status, cnameOf(domain), "");
        }

        @Override
        public synchronized void unbindDomain(ConfigValues global, String domain) {
            calls.add("unbind " + domain);
            if (unbindRefusal != null) {
                throw new ExtensionException(unbindRefusal);
            }
            domains.remove(domain);
        }

        synchronized List<String> calls() {
            return List.copyOf(calls);
        }
    }

    private static CdnDomains cdnOf(TestCdn cdn) {
        return new CdnDomains(id -> TestCdn.ID.equals(id) ? Optional.of(cdn) : Optional.empty(),
                provider -> ConfigValues.of(Map.of("account", "acct-1")));
    }

    @ParameterizedTest
    @MethodSource("io.miaobu.server.persistence.TestDatabase#kinds")
    void aDomainOfACdnProjectIsBoundOnlyAfterOwnershipAndIsActiveOnceItsCnamePointsAtTheCdn(String kind)
            throws Exception {
        var cdn = new TestCdn();
        CustomDomains domains = open(kind, cdnOf(cdn));
        long p = project("shop", TestCdn.ID);
        CustomDomain added = domains.add(p, "www.example.com", ADA);
        assertThat(added.onCdn()).isTrue();
        assertThat(domains.cnameTarget(added, "shop")).as("named by the CDN once owned").isNull();
        assertThat(domains.cdnName(added)).isEqualTo("Edge CDN");

        assertThat(domains.check(p, added.id()).status()).isEqualTo(DomainStatus.PENDING_OWNERSHIP);
        dns.txt("_miaobu-challenge.www.example.com", "someone else's token").cname("www.example.com",
                TestCdn.cnameOf("www.example.com"));
        assertThat(domains.check(p, added.id()).status()).isEqualTo(DomainStatus.PENDING_OWNERSHIP);
        assertThat(cdn.calls()).as("nothing parked at the CDN before ownership is proven").isEmpty();

        dns.clear("www.example.com").txt("_miaobu-challenge.www.example.com", added.token());
        CustomDomain checked = domains.check(p, added.id());
        assertThat(cdn.calls()).containsExactly("bind shop www.example.com acct-1");
        assertThat(checked.status()).isEqualTo(DomainStatus.PENDING_DNS);
        assertThat(checked.reason()).isEqualTo("No CNAME www.example.com to www.example.com.edge-cdn.test found yet");
        assertThat(checked.ownerVerifiedAt()).isEqualTo(NOW);
        assertThat(checked.cdn()).isEqualTo(new CdnBinding(TestCdn.ID, NOW, "www.example.com.edge-cdn.test",
                DomainBinding.Status.CONFIGURING, "Setting it up.", null));
        assertThat(domains.cnameTarget(checked, "shop")).isEqualTo("www.example.com.edge-cdn.test");

        // the project's own site host is not where a CDN domain leads
        dns.cname("www.example.com", "shop.sites.test");
        assertThat(domains.check(p, added.id()).reason()).isEqualTo("CNAME www.example.com points to"
                + " shop.sites.test, expected www.example.com.edge-cdn.test");

        cdn.domains.put("www.example.com", DomainBinding.Status.ONLINE);
        dns.clear("www.example.com").cname("www.example.com", "WWW.Example.com.edge-cdn.test");
        checked = domains.check(p, added.id());
        assertThat(checked.status()).isEqualTo(DomainStatus.ACTIVE);
        assertThat(checked.cdn().status()).isEqualTo(DomainBinding.Status.ONLINE);
        assertThat(checked.cdn().requestedAt()).isEqualTo(NOW);
        assertThat(cdn.calls()).as("bound once, asked afterwards").containsExactly(
                "bind shop www.example.com acct-1", "status www.example.com", "status www.example.com");
        assertThat(changes).containsExactly("www.example.com active");
        assertThat(routes.route("www.example.com")).as("the CDN serves it, not the site server").isNull();

        // the CDN reports the domain failed: an error with its words
        cdn.domains.put("www.example.com", DomainBinding.Status.FAILED);
        checked = domains.check(p, added.id());
        assertThat(checked.status()).isEqualTo(DomainStatus.ERROR);
        assertThat(checked.reason()).isEqualTo("The CDN could not set the domain up: Edge CDN reports it failed.");

        // a domain of a project without a CDN is this server's as before
        long local = project("blog");
        CustomDomain blog = domains.add(local, "blog.example.com", ADA);
        dns.txt("_miaobu-challenge.blog.example.com", blog.token()).cname("blog.example.com", "blog.sites.test");
        assertThat(domains.check(local, blog.id()).status()).isEqualTo(DomainStatus.ACTIVE);
        assertThat(domains.get(local, blog.id()).onCdn()).isFalse();
        assertThat(routes.route("blog.example.com")).isEqualTo(Route.serve("blog"));
        assertThat(cdn.calls()).noneMatch(call -> call.contains("blog.example.com"));
    }

    @ParameterizedTest
    @MethodSource("io.miaobu.server.persistence.TestDatabase#kinds")
    void aRefusalIsAnErrorWithTheCdnsReasonAndALaterCheckBindsAgain(String kind) throws Exception {
        var cdn = new TestCdn();
        CustomDomains domains = open(kind, cdnOf(cdn));
        long p = project("shop", TestCdn.ID);
        CustomDomain added = domains.add(p, "www.example.com", ADA);
        dns.txt("_miaobu-challenge.www.example.com", added.token());

        cdn.refusal = "www.example.com is already on Edge CDN in another account.";
        CustomDomain checked = domains.check(p, added.id());
        assertThat(checked.status()).isEqualTo(DomainStatus.ERROR);
        assertThat(checked.reason()).isEqualTo("The CDN refused the domain: www.example.com is already on Edge CDN in"
                + " another account.");
        assertThat(checked.cdn().error()).isEqualTo("www.example.com is already on Edge CDN in another account.");
        assertThat(checked.cdn().bound()).isFalse();
        assertThat(checked.ownerVerifiedAt()).as("ownership stays proven").isEqualTo(NOW);
        assertThat(domains.cnameTarget(checked, "shop")).isNull();

        // the periodic check tries again, and the TXT record is not needed any more
        cdn.refusal = null;
        dns.clear("_miaobu-challenge.www.example.com");
        assertThat(domains.checkAll()).isEqualTo(1);
        checked = domains.get(p, added.id());
        assertThat(checked.status()).isEqualTo(DomainStatus.PENDING_DNS);
        assertThat(checked.cdn().error()).isNull();
        assertThat(checked.cdn().cname()).isEqualTo("www.example.com.edge-cdn.test");
        assertThat(cdn.calls()).containsExactly("bind shop www.example.com acct-1",
                "bind shop www.example.com acct-1");

        // a failing status question leaves a bound domain as DNS has it, with the error shown beside
        dns.cname("www.example.com", "www.example.com.edge-cdn.test");
        cdn.statusRefusal = "Throttling: try later";
        checked = domains.check(p, added.id());
        assertThat(checked.status()).isEqualTo(DomainStatus.ACTIVE);
        assertThat(checked.cdn().error()).isEqualTo("Throttling: try later");
        assertThat(checked.cdn().status()).isEqualTo(DomainBinding.Status.CONFIGURING);

        // a domain gone from the CDN (removed in its console) is bound again
        cdn.statusRefusal = null;
        cdn.domains.clear();
        checked = domains.check(p, added.id());
        assertThat(cdn.calls()).endsWith("status www.example.com", "bind shop www.example.com acct-1");
        assertThat(checked.cdn().error()).isNull();
        assertThat(checked.status()).isEqualTo(DomainStatus.ACTIVE);
    }

    @ParameterizedTest
    @MethodSource("io.miaobu.server.persistence.TestDatabase#kinds")
    void removingADomainOrDeletingItsProjectUnbindsWhatWasBoundAndNothingElse(String kind) throws Exception {
        var cdn = new TestCdn();
        CustomDomains domains = open(kind, cdnOf(cdn));
        long p = project("shop", TestCdn.ID);
        CustomDomain www = domains.add(p, "www.example.com", ADA);
        CustomDomain shop = domains.add(p, "shop.example.com", ADA);
        CustomDomain apex = domains.add(p, "example.com", ADA);
        CustomDomain unproven = domains.add(p, "unproven.example.com", ADA);
        dns.txt("_miaobu-challenge.www.example.com", www.token())
                .txt("_miaobu-challenge.shop.example.com", shop.token())
                .txt("_miaobu-challenge.example.com", apex.token());
        domains.checkAll();
        assertThat(cdn.domains).containsOnlyKeys("www.example.com", "shop.example.com", "example.com");

        domains.remove(p, www.id(), ADA);
        assertThat(cdn.calls()).endsWith("unbind www.example.com");
        assertThat(cdn.domains).doesNotContainKey("www.example.com");

        // a CDN that refuses to unbind does not keep the domain in the project
        cdn.unbindRefusal = "Forbidden.RAM: grant cdn:DeleteCdnDomain";
        domains.remove(p, shop.id(), ADA);
        assertThat(domains.list(p)).extracting(CustomDomain::host)
                .containsExactlyInAnyOrder("example.com", "unproven.example.com");
        cdn.unbindRefusal = null;

        // the project goes: what was bound is unbound, a domain never proven is not touched
        domains.forgetProject(p);
        assertThat(cdn.calls()).endsWith("unbind example.com");
        assertThat(cdn.calls()).noneMatch(call -> call.contains("unproven.example.com"));
        assertThat(domains.get(p, apex.id()).cdn().requestedAt()).as("bound again should the deletion fail").isNull();
        assertThat(unproven.onCdn()).isTrue();
    }

    @ParameterizedTest
    @MethodSource("io.miaobu.server.persistence.TestDatabase#kinds")
    void aDomainRemovedWhileTheCdnBindsItIsUnboundByTheCheck(String kind) throws Exception {
        var cdn = new TestCdn();
        CustomDomains domains = open(kind, cdnOf(cdn));
        long p = project("shop", TestCdn.ID);
        CustomDomain www = domains.add(p, "www.example.com", ADA);
        dns.txt("_miaobu-challenge.www.example.com", www.token());
        cdn.duringBind = () -> domains.remove(p, www.id(), ADA);

        assertThatThrownBy(() -> domains.check(p, www.id())).isInstanceOfSatisfying(UserFacingException.class,
                e -> assertThat(e.status()).isEqualTo(404));
        assertThat(cdn.calls()).containsExactly("bind shop www.example.com acct-1", "unbind www.example.com");
        assertThat(cdn.domains).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("io.miaobu.server.persistence.TestDatabase#kinds")
    void anApexOnTheCdnIsActiveThroughAFlattenedRecordWithTheCdnsAddresses(String kind) throws Exception {
        var cdn = new TestCdn();
        CustomDomains domains = open(kind, cdnOf(cdn));
        long p = project("shop", TestCdn.ID);
        CustomDomain apex = domains.add(p, "example.com", ADA);
        dns.txt("_miaobu-challenge.example.com", apex.token()).a("example.com", SERVER_ADDRESS)
                .a("example.com.edge-cdn.test", "203.0.113.5").a("example.com.edge-cdn.test", "203.0.113.6");

        CustomDomain checked = domains.check(p, apex.id());
        assertThat(checked.status()).as("this server's own address is no way to the CDN").isEqualTo(DomainStatus.ERROR);
        assertThat(checked.reason()).isEqualTo("A/AAAA example.com points to " + SERVER_ADDRESS + ", not to Edge CDN"
                + " (example.com.edge-cdn.test is 203.0.113.5, 203.0.113.6); create a CNAME record to"
                + " example.com.edge-cdn.test, or for an apex domain an ALIAS/ANAME (CNAME flattening) record");

        dns.clear("example.com").a("example.com", "203.0.113.6");
        assertThat(domains.check(p, apex.id()).status()).isEqualTo(DomainStatus.ACTIVE);
        assertThat(routes.route("example.com")).isNull();
    }
}
