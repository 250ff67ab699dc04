package io.miaobu.server.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.miaobu.server.audit.Actor;
import io.miaobu.server.audit.AuditLog;
import io.miaobu.server.boot.DomainConfig;
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
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Custom domains on H2 and PostgreSQL (so V010 runs on both), checked against a local DNS server whose records the
 * test sets.
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
        database = TestDatabase.open(kind, temp);
        dns = new TestDnsServer();
        var config = new DomainConfig(Optional.empty(), List.of(InetAddress.getByName(SERVER_ADDRESS)),
                List.of(dns.address()), Duration.ofMinutes(10));
        var check = new DnsCheck(DnsResolvers.of(config.dnsResolvers(), Duration.ofSeconds(2)),
                Set.copyOf(config.addresses()));
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        return new CustomDomains(database.jdbi(), check, routes, "sites.test", Set.of("miaobu.example.org"), config,
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
        Jdbi jdbi = database.jdbi();
        return jdbi.withHandle(handle -> handle.createUpdate("""
                        INSERT INTO projects (slug, name, repository_url, branch, source_provider, builder,
                            deploy_target, created_at, updated_at)
                        VALUES (:slug, :slug, 'https://github.com/octo/site.git', 'main', 'git', 'node',
                            'local-storage', :now, :now)""")
                .bind("slug", slug).bind("now", NOW)
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
}
