package io.miaobu.plugin.aliyun.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.miaobu.api.ExtensionException;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.config.ConnectionCheck;
import io.miaobu.api.dns.DnsRecord;
import io.miaobu.plugin.aliyun.rpc.standin.AliDnsStandIn;
import io.miaobu.plugin.aliyun.rpc.standin.AliyunRpcStandIn;
import io.miaobu.plugin.aliyun.rpc.standin.RpcRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AliyunDnsProviderTest {

    private final AliyunDnsProvider dns = new AliyunDnsProvider(Duration.ofMillis(10));
    private AliyunRpcStandIn aliyun;
    private ConfigValues global;

    @BeforeEach
    void start() {
        aliyun = AliyunRpcStandIn.start();
        aliyun.dns().addZone("example.com");
        global = aliyun.settings(Map.of());
    }

    @AfterEach
    void stop() {
        aliyun.close();
    }

    @Test
    void managesZonesAndTheirSubdomainsOnEveryPage() {
        for (int i = 0; i < 130; i++) {
            aliyun.dns().addZone("zone" + i + ".net");
        }

        assertThat(dns.manages(global, "zone125.net")).isTrue();
        assertThat(dns.manages(global, "_acme-challenge.www.zone125.net.")).isTrue();
        assertThat(dns.manages(global, "www.Example.com")).isTrue();
        assertThat(dns.manages(global, "notexample.com")).isFalse();
        assertThat(dns.manages(global, "example.org")).isFalse();
        assertThat(aliyun.requests("DescribeDomains")).extracting(r -> r.param("PageNumber"))
                .containsSequence("1", "2");
    }

    @Test
    void createsATxtRecordWaitsUntilItIsInEffectAndDeletesIt() throws InterruptedException {
        aliyun.dns().visibleAfter(2);
        DnsRecord record = new DnsRecord("_acme-challenge.www.example.com", "TXT", "dGVzdC1kaWdlc3Q", 60);

        String id = dns.createRecord(global, record);
        dns.awaitVisible(global, id, record, Duration.ofSeconds(10));

        AliDnsStandIn.Record stored = aliyun.dns().record(id).orElseThrow();
        assertThat(stored.zone()).isEqualTo("example.com");
        assertThat(stored.rr()).isEqualTo("_acme-challenge.www");
        assertThat(stored.type()).isEqualTo("TXT");
        assertThat(stored.value()).isEqualTo("dGVzdC1kaWdlc3Q");
        assertThat(stored.ttl()).isEqualTo(600);
        assertThat(aliyun.requests("DescribeDomainRecordInfo")).hasSize(3);

        dns.deleteRecord(global, id);
        dns.deleteRecord(global, id);

        assertThat(aliyun.dns().records()).isEmpty();
        assertThat(aliyun.requests("DeleteDomainRecord")).extracting(RpcRequest::errorCode)
                .containsExactly("", "DomainRecordNotBelongToUser");
    }

    @Test
    void waitingGivesUpAtTheDeadlineInWords() {
        aliyun.dns().visibleAfter(Integer.MAX_VALUE);
        DnsRecord record = new DnsRecord("_acme-challenge.example.com", "TXT", "abc", 600);
        String id = dns.createRecord(global, record);

        assertThatThrownBy(() -> dns.awaitVisible(global, id, record, Duration.ofMillis(200)))
                .isInstanceOf(ExtensionException.class)
                .hasMessageContaining("_acme-challenge.example.com").hasMessageContaining("not in effect");
    }

    @Test
    void createsCnamesInTheLongestZoneThatHoldsTheName() {
        aliyun.dns().addZone("shop.example.com");

        String www = dns.createRecord(global, new DnsRecord("www.example.com", "CNAME",
                "www.example.com.w.kunlunsl.com", 600));
        String apex = dns.createRecord(global, new DnsRecord("shop.example.com", "cname",
                "shop.example.com.w.kunlunsl.com", 600));
        String deep = dns.createRecord(global, new DnsRecord("a.b.shop.example.com", "A", "203.0.113.7", 900));

        assertThat(aliyun.dns().record(www).orElseThrow()).satisfies(r -> {
            assertThat(r.zone()).isEqualTo("example.com");
            assertThat(r.rr()).isEqualTo("www");
            assertThat(r.type()).isEqualTo("CNAME");
        });
        assertThat(aliyun.dns().record(apex).orElseThrow()).satisfies(r -> {
            assertThat(r.zone()).isEqualTo("shop.example.com");
            assertThat(r.rr()).isEqualTo("@");
        });
        assertThat(aliyun.dns().record(deep).orElseThrow()).satisfies(r -> {
            assertThat(r.rr()).isEqualTo("a.b");
            assertThat(r.ttl()).isEqualTo(900);
        });
    }

    @Test
    void creatingTheSameRecordTwiceReturnsTheSameId() {
        DnsRecord record = new DnsRecord("_miaobu.example.com", "TXT", "owner=42", 600);

        String first = dns.createRecord(global, record);
        String second = dns.createRecord(global, record);

        assertThat(second).isEqualTo(first);
        assertThat(aliyun.dns().records()).hasSize(1);
    }

    @Test
    void aCnameBesideOtherRecordsIsRefusedInWords() {
        dns.createRecord(global, new DnsRecord("www.example.com", "A", "203.0.113.7", 600));

        assertThatThrownBy(() -> dns.createRecord(global, new DnsRecord("www.example.com", "CNAME", "x.example.net",
                600))).isInstanceOf(ExtensionException.class).hasMessageContaining("conflicts");
    }

    @Test
    void aNameInNoZoneOfTheAccountIsRefusedBeforeAnythingIsAdded() {
        assertThatThrownBy(() -> dns.createRecord(global, new DnsRecord("_acme-challenge.example.org", "TXT", "x",
                600))).isInstanceOf(ExtensionException.class).hasMessageContaining("No AliDNS zone")
                .hasMessageContaining("example.org");
        assertThat(aliyun.requests("AddDomainRecord")).isEmpty();
    }

    @Test
    void aWrongSecretIsRefusedByTheStandInAndReportedWithoutTheSecret() {
        ConfigValues bad = aliyun.settings(AliyunRpcStandIn.ACCESS_KEY_ID, "bad-secret-42", Map.of());

        assertThatThrownBy(() -> dns.manages(bad, "example.com")).isInstanceOf(ExtensionException.class)
                .hasMessageContaining("secret is wrong").message().doesNotContain("bad-secret-42");
        assertThat(aliyun.requests()).singleElement()
                .satisfies(r -> assertThat(r.errorCode()).isEqualTo("SignatureDoesNotMatch"));
    }

    @Test
    void checkConnectionTriesEveryPermissionAndLeavesNothingBehind() {
        List<ConnectionCheck> checks = dns.checkConnection(global);

        assertThat(checks).extracting(ConnectionCheck::name).satisfiesExactly(
                n -> assertThat(n).contains("alidns:DescribeDomains"),
                n -> assertThat(n).contains("alidns:DescribeDomainRecords"),
                n -> assertThat(n).contains("alidns:AddDomainRecord"),
                n -> assertThat(n).contains("alidns:DeleteDomainRecord"));
        assertThat(checks).allSatisfy(c -> assertThat(c.passed()).as(c.name() + ": " + c.detail()).isTrue());
        assertThat(aliyun.dns().records()).isEmpty();
    }

    @Test
    void checkConnectionNamesTheMissingPermission() {
        aliyun.denyAction("AddDomainRecord");

        List<ConnectionCheck> checks = dns.checkConnection(global);

        assertThat(checks).filteredOn(c -> !c.passed()).singleElement().satisfies(c -> {
            assertThat(c.name()).contains("alidns:AddDomainRecord");
            assertThat(c.detail()).contains("Forbidden.RAM", "may not call AddDomainRecord");
        });
        assertThat(checks).extracting(ConnectionCheck::name)
                .noneSatisfy(n -> assertThat(n).contains("DeleteDomainRecord"));
    }
}
