package io.miaobu.plugin.aliyun.cdn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.miaobu.api.ExtensionException;
import io.miaobu.api.Secret;
import io.miaobu.api.cdn.DomainBinding;
import io.miaobu.api.cdn.PurgeTask;
import io.miaobu.api.cert.CertificateBundle;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.config.ConnectionCheck;
import io.miaobu.plugin.aliyun.rpc.standin.AliyunRpcStandIn;
import io.miaobu.plugin.aliyun.rpc.standin.CdnStandIn;
import io.miaobu.plugin.aliyun.rpc.standin.RpcRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AliyunCdnProviderTest {

    private static final String ORIGIN = "miaobu-sites.oss-cn-hangzhou.aliyuncs.com";

    private final AliyunCdnProvider cdn = new AliyunCdnProvider();
    private AliyunRpcStandIn aliyun;
    private ConfigValues global;

    @BeforeEach
    void start() {
        aliyun = AliyunRpcStandIn.start();
        global = aliyun.settings(Map.of("cdn-domains", "www.example.com"));
    }

    @AfterEach
    void stop() {
        aliyun.close();
    }

    @Test
    void bindsDomainWithTheBucketAsOriginAndReportsTheCname() {
        DomainBinding bound = cdn.bindDomain(global, "site-1", "WWW.Example.com");

        assertThat(bound.domain()).isEqualTo("www.example.com");
        assertThat(bound.status()).isEqualTo(DomainBinding.Status.CONFIGURING);
        assertThat(bound.cname()).isEqualTo("www.example.com.w.kunlunsl.com");
        assertThat(bound.message()).contains("CNAME", "www.example.com.w.kunlunsl.com");
        RpcRequest add = aliyun.requests("AddCdnDomain").get(0);
        assertThat(add.method()).isEqualTo("POST");
        assertThat(add.param("CdnType")).isEqualTo("web");
        assertThat(add.param("Scope")).isEqualTo("domestic");
        CdnStandIn.Domain domain = aliyun.cdn().domain("www.example.com").orElseThrow();
        assertThat(domain.sources().get(0).path("content").asText()).isEqualTo(ORIGIN);
        assertThat(domain.sources().get(0).path("type").asText()).isEqualTo("oss");
        assertThat(domain.sources().get(0).path("port").asInt()).isEqualTo(443);
        assertThat(domain.tags()).containsEntry("miaobu-site", "site-1");

        DomainBinding later = cdn.domainStatus(global, "www.example.com");
        assertThat(later.status()).isEqualTo(DomainBinding.Status.ONLINE);
        assertThat(later.cname()).isEqualTo("www.example.com.w.kunlunsl.com");
    }

    @Test
    void originDropsTheInternalEndpointAndScopeComesFromTheSettings() {
        ConfigValues internal = aliyun.settings(Map.of("endpoint", "https://oss-cn-shanghai-internal.aliyuncs.com",
                "cdn-scope", "global"));

        cdn.bindDomain(internal, "site-1", "cdn.example.com");

        CdnStandIn.Domain domain = aliyun.cdn().domain("cdn.example.com").orElseThrow();
        assertThat(domain.sources().get(0).path("content").asText())
                .isEqualTo("miaobu-sites.oss-cn-shanghai.aliyuncs.com");
        assertThat(domain.scope()).isEqualTo("global");
    }

    @Test
    void aDomainAlreadyOnTheCdnCountsAsBoundAndReportsItsStatus() {
        aliyun.cdn().addDomain("www.example.com", "online", ORIGIN);

        DomainBinding bound = cdn.bindDomain(global, "site-1", "www.example.com");

        assertThat(bound.status()).isEqualTo(DomainBinding.Status.ONLINE);
        assertThat(bound.cname()).isEqualTo("www.example.com.w.kunlunsl.com");
        assertThat(aliyun.requests("AddCdnDomain")).singleElement()
                .satisfies(r -> assertThat(r.errorCode()).isEqualTo("InvalidDomain.Duplicate"));
    }

    @Test
    void aDomainAlreadyOnTheCdnWithAnotherOriginIsLeftAloneAndSaysSo() {
        aliyun.cdn().addDomain("www.example.com", "online", "other.oss-cn-beijing.aliyuncs.com");

        DomainBinding bound = cdn.bindDomain(global, "site-1", "www.example.com");

        assertThat(bound.status()).isEqualTo(DomainBinding.Status.ONLINE);
        assertThat(bound.message()).contains("another origin", ORIGIN);
    }

    @Test
    void aDomainOnAnotherAccountsCdnIsRefusedInWords() {
        aliyun.cdn().addForeignDomain("www.example.com");

        assertThatThrownBy(() -> cdn.bindDomain(global, "site-1", "www.example.com"))
                .isInstanceOf(ExtensionException.class).hasMessageContaining("another account");
    }

    @Test
    void failedReviewIsReportedAsFailed() {
        aliyun.cdn().addDomain("www.example.com", "check_failed", ORIGIN);

        DomainBinding status = cdn.domainStatus(global, "www.example.com");

        assertThat(status.status()).isEqualTo(DomainBinding.Status.FAILED);
        assertThat(status.message()).contains("check_failed", "ICP");
    }

    @Test
    void unbindRemovesTheDomainAndUnbindingAGoneDomainSucceeds() {
        cdn.bindDomain(global, "site-1", "www.example.com");

        cdn.unbindDomain(global, "www.example.com");
        cdn.unbindDomain(global, "www.example.com");

        assertThat(aliyun.cdn().domain("www.example.com")).isEmpty();
        assertThat(aliyun.requests("DeleteCdnDomain")).extracting(RpcRequest::errorCode)
                .containsExactly("", "InvalidDomain.NotFound");
        assertThat(cdn.domainStatus(global, "www.example.com").status()).isEqualTo(DomainBinding.Status.OFFLINE);
    }

    @Test
    void purgeSplitsTwoHundredFiftyUrlsIntoBatchesAndCompletesAfterPolling() throws InterruptedException {
        List<String> urls = IntStream.range(0, 250).mapToObj(i -> "https://www.example.com/assets/f" + i + ".js")
                .toList();

        PurgeTask task = cdn.purge(global, urls);

        List<RpcRequest> refreshes = aliyun.requests("RefreshObjectCaches");
        assertThat(refreshes).extracting(r -> r.param("ObjectPath").split("\n").length).containsExactly(100, 100, 50);
        assertThat(refreshes).allSatisfy(r -> assertThat(r.param("ObjectType")).isEqualTo("File"));
        assertThat(refreshes.stream().flatMap(r -> Arrays.stream(r.param("ObjectPath").split("\n"))).toList())
                .containsExactlyElementsOf(urls);
        assertThat(task.status()).isEqualTo(PurgeTask.Status.RUNNING);
        assertThat(task.id().split(",")).hasSize(250);

        PurgeTask first = cdn.purgeStatus(global, task.id());
        assertThat(first.status()).isEqualTo(PurgeTask.Status.RUNNING);
        PurgeTask done = poll(() -> cdn.purgeStatus(global, task.id()), t -> t.status() != PurgeTask.Status.RUNNING);
        assertThat(done.status()).isEqualTo(PurgeTask.Status.COMPLETE);
        assertThat(done.id()).isEqualTo(task.id());
        assertThat(aliyun.requests("DescribeRefreshTaskById"))
                .allSatisfy(r -> assertThat(r.param("TaskId").split(",")).hasSizeLessThanOrEqualTo(10));
        assertThat(aliyun.cdn().refreshTasks()).extracting(CdnStandIn.RefreshTask::status).containsOnly("Complete");
    }

    @Test
    void refreshesASitesChangedPathsOnEveryCdnDomainAtItsHostLabel() {
        ConfigValues wildcard = aliyun.settings(Map.of("cdn-domains", "*.sites.example.com, cdn.example.net"));

        var task = cdn.refreshPaths(wildcard, "2--shop", List.of("/index.html", "/docs/index.html", "/app.1a2b.js"));

        assertThat(task).isPresent();
        assertThat(aliyun.requests("RefreshObjectCaches").stream()
                .flatMap(r -> Arrays.stream(r.param("ObjectPath").split("\n"))).toList()).containsExactly(
                "https://2--shop.sites.example.com/app.1a2b.js",
                "https://2--shop.sites.example.com/docs/index.html", "https://2--shop.sites.example.com/docs/",
                "https://2--shop.sites.example.com/index.html", "https://2--shop.sites.example.com/",
                "https://2--shop.cdn.example.net/app.1a2b.js",
                "https://2--shop.cdn.example.net/docs/index.html", "https://2--shop.cdn.example.net/docs/",
                "https://2--shop.cdn.example.net/index.html", "https://2--shop.cdn.example.net/");
        assertThat(cdn.refreshPaths(aliyun.settings(Map.of()), "shop", List.of("/index.html")))
                .as("no CDN domain configured").isEmpty();
    }

    @Test
    void aFailedRefreshIsReportedAsFailed() throws InterruptedException {
        aliyun.cdn().failRefreshOf("https://www.example.com/index.html");

        PurgeTask task = cdn.purge(global, List.of("https://www.example.com/", "https://www.example.com/index.html"));

        PurgeTask done = poll(() -> cdn.purgeStatus(global, task.id()), t -> t.status() != PurgeTask.Status.RUNNING);
        assertThat(done.status()).isEqualTo(PurgeTask.Status.FAILED);
    }

    @Test
    void purgingNothingIsCompleteAtOnceAndARelativeUrlIsRefused() {
        assertThat(cdn.purge(global, List.of()).status()).isEqualTo(PurgeTask.Status.COMPLETE);
        assertThatThrownBy(() -> cdn.purge(global, List.of("/index.html")))
                .isInstanceOf(ExtensionException.class).hasMessageContaining("absolute");
        assertThat(aliyun.requests("RefreshObjectCaches")).isEmpty();
    }

    @Test
    void installsACertificateAndReplacesItOnRenewal() {
        aliyun.cdn().addDomain("www.example.com", "online", ORIGIN);
        CertificateBundle first = bundle("AAA", Instant.parse("2027-03-01T00:00:00Z"));
        CertificateBundle renewed = bundle("BBB", Instant.parse("2027-05-30T00:00:00Z"));

        cdn.installCertificate(global, "www.example.com", first);
        cdn.installCertificate(global, "www.example.com", renewed);

        CdnStandIn.Domain domain = aliyun.cdn().domain("www.example.com").orElseThrow();
        assertThat(domain.https()).isTrue();
        assertThat(domain.certificate().publicPem()).isEqualTo(renewed.certificatePem());
        assertThat(domain.certificate().privateKeyPem()).isEqualTo(renewed.privateKeyPem().reveal());
        assertThat(domain.certificates()).hasSize(2);
        assertThat(domain.certificates().get(0).name()).startsWith("www-example-com-20270301-");
        assertThat(domain.certificate().name()).startsWith("www-example-com-20270530-");
        RpcRequest set = aliyun.requests("SetCdnDomainSSLCertificate").get(0);
        assertThat(set.param("SSLProtocol")).isEqualTo("on");
        assertThat(set.param("CertType")).isEqualTo("upload");
    }

    @Test
    void aWrongSecretIsRefusedByTheStandInAndReportedWithoutTheSecret() {
        String wrong = "wrong-secret-0123456789";
        ConfigValues bad = aliyun.settings(AliyunRpcStandIn.ACCESS_KEY_ID, wrong, Map.of());

        assertThatThrownBy(() -> cdn.bindDomain(bad, "site-1", "www.example.com"))
                .isInstanceOf(ExtensionException.class)
                .hasMessageContaining("signature").hasMessageContaining("secret is wrong")
                .hasMessageContaining(AliyunRpcStandIn.ACCESS_KEY_ID)
                .message().doesNotContain(wrong).doesNotContain(aliyun.accessKeySecret());
        assertThat(aliyun.requests()).singleElement().satisfies(r -> {
            assertThat(r.errorCode()).isEqualTo("SignatureDoesNotMatch");
            assertThat(r.status()).isEqualTo(400);
        });
        assertThat(aliyun.cdn().domain("www.example.com")).isEmpty();
    }

    @Test
    void anUnknownAccessKeyIdIsReportedAsSuch() {
        ConfigValues bad = aliyun.settings("LTAI-nobody", "whatever", Map.of());

        assertThatThrownBy(() -> cdn.domainStatus(bad, "www.example.com"))
                .isInstanceOf(ExtensionException.class)
                .hasMessageContaining("does not know the AccessKey ID LTAI-nobody")
                .hasMessageContaining("InvalidAccessKeyId.NotFound");
    }

    @Test
    void aServerErrorIsReportedWithAlibabasCode() {
        aliyun.cdn().addDomain("www.example.com", "online", ORIGIN);
        aliyun.failNext("DescribeCdnDomainDetail", 500, "InternalError", "The request processing has failed due to"
                + " some unknown error.");

        assertThatThrownBy(() -> cdn.domainStatus(global, "www.example.com"))
                .isInstanceOf(ExtensionException.class)
                .hasMessageContaining("DescribeCdnDomainDetail").hasMessageContaining("InternalError");
    }

    @Test
    void checkConnectionPassesEveryCheckWithFullPermissions() {
        aliyun.cdn().addDomain("www.example.com", "online", ORIGIN);

        List<ConnectionCheck> checks = cdn.checkConnection(global);

        assertThat(checks).extracting(ConnectionCheck::name).anySatisfy(n -> assertThat(n).contains(
                "cdn:DescribeCdnService")).anySatisfy(n -> assertThat(n).contains("cdn:DescribeUserDomains"))
                .anySatisfy(n -> assertThat(n).contains("cdn:DescribeCdnDomainDetail"))
                .anySatisfy(n -> assertThat(n).contains("cdn:RefreshObjectCaches"));
        assertThat(checks).allSatisfy(c -> assertThat(c.passed()).as(c.name() + ": " + c.detail()).isTrue());
    }

    @Test
    void checkConnectionNamesTheMissingPermission() {
        aliyun.cdn().addDomain("www.example.com", "online", ORIGIN);
        aliyun.denyAction("RefreshObjectCaches");

        List<ConnectionCheck> checks = cdn.checkConnection(global);

        assertThat(checks).filteredOn(c -> !c.passed()).singleElement().satisfies(c -> {
            assertThat(c.name()).contains("cdn:RefreshObjectCaches");
            assertThat(c.detail()).contains("Forbidden.RAM", "may not call RefreshObjectCaches");
        });
    }

    @Test
    void checkConnectionStopsAtRefusedKeys() {
        List<ConnectionCheck> checks = cdn.checkConnection(
                aliyun.settings(AliyunRpcStandIn.ACCESS_KEY_ID, "not-the-secret", Map.of("cdn-domains", "a.b.com")));

        assertThat(checks).singleElement().satisfies(c -> {
            assertThat(c.passed()).isFalse();
            assertThat(c.detail()).contains("secret is wrong").doesNotContain("not-the-secret");
        });
    }

    private static CertificateBundle bundle(String marker, Instant notAfter) {
        String cert = "-----BEGIN CERTIFICATE-----\nMIIB" + marker + "\n-----END CERTIFICATE-----\n"
                + "-----BEGIN CERTIFICATE-----\nMIIC" + marker + "issuer\n-----END CERTIFICATE-----\n";
        String key = "-----BEGIN EC PRIVATE KEY-----\nMHc" + marker + "\n-----END EC PRIVATE KEY-----\n";
        return new CertificateBundle(List.of("www.example.com"), cert, Secret.of(key),
                notAfter.minus(Duration.ofDays(90)), notAfter);
    }

    private static <T> T poll(java.util.function.Supplier<T> look, java.util.function.Predicate<T> done)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            T value = look.get();
            if (done.test(value) || System.nanoTime() > deadline) {
                return value;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
            if (Thread.interrupted()) {
                throw new InterruptedException("stopped polling");
            }
        }
    }
}
