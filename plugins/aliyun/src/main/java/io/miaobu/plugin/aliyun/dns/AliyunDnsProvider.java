package io.miaobu.plugin.aliyun.dns;

import com.aliyuncs.alidns.model.v20150109.AddDomainRecordRequest;
import com.aliyuncs.alidns.model.v20150109.DeleteDomainRecordRequest;
import com.aliyuncs.alidns.model.v20150109.DescribeDomainRecordInfoRequest;
import com.aliyuncs.alidns.model.v20150109.DescribeDomainRecordInfoResponse;
import com.aliyuncs.alidns.model.v20150109.DescribeDomainRecordsRequest;
import com.aliyuncs.alidns.model.v20150109.DescribeDomainRecordsResponse;
import com.aliyuncs.alidns.model.v20150109.DescribeDomainsRequest;
import com.aliyuncs.alidns.model.v20150109.DescribeDomainsResponse;
import io.miaobu.api.ExtensionException;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.config.ConnectionCheck;
import io.miaobu.api.dns.DnsProvider;
import io.miaobu.api.dns.DnsRecord;
import io.miaobu.plugin.aliyun.AliyunExtension;
import io.miaobu.plugin.aliyun.AliyunSettings;
import io.miaobu.plugin.aliyun.rpc.AliyunApiException;
import io.miaobu.plugin.aliyun.rpc.AliyunRpcClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.pf4j.Extension;

/**
 * AliDNS records for the zones of the settings' account, through {@code aliyun-java-sdk-alidns} (API version
 * 2015-01-09): TXT records for ACME DNS-01 and ownership checks, CNAMEs for CDN domains.
 */
@Extension
public final class AliyunDnsProvider extends AliyunExtension implements DnsProvider {

    /** The lowest TTL of AliDNS's free edition; paid editions allow less, but 600 works everywhere. */
    static final int MIN_TTL = 600;
    static final Set<String> TYPES = Set.of("A", "AAAA", "CNAME", "TXT", "MX", "NS", "CAA", "SRV");
    private static final long PAGE_SIZE = 100;
    private static final Set<String> GONE = Set.of("DomainRecordNotBelongToUser", "InvalidRecordId.NotFound",
            "InvalidRR.NoExist", "RecordNotExist");

    private final Duration pollInterval;

    public AliyunDnsProvider() {
        this(Duration.ofSeconds(3));
    }

    /** For tests: how long {@link #awaitVisible} waits between looks. */
    AliyunDnsProvider(Duration pollInterval) {
        this.pollInterval = pollInterval;
    }

    @Override
    public String displayName() {
        return "AliDNS";
    }

    /** Whether {@code domain} or one of its parents is a zone of the account (every page of DescribeDomains). */
    @Override
    public boolean manages(ConfigValues global, String domain) {
        String name = normalize(domain);
        return zoneOf(zones(AliyunRpcClient.dns(AliyunSettings.from(global))), name).isPresent();
    }

    /**
     * Adds the record to the longest zone of the account that holds the name. A TTL below {@link #MIN_TTL} is raised
     * to it. If AliDNS already has the very same record, its id is returned (creating is idempotent).
     */
    @Override
    public String createRecord(ConfigValues global, DnsRecord record) {
        AliyunRpcClient dns = AliyunRpcClient.dns(AliyunSettings.from(global));
        String name = normalize(record.name());
        String type = record.type().strip().toUpperCase(Locale.ROOT);
        if (!TYPES.contains(type)) {
            throw new ExtensionException("AliDNS records of type " + record.type() + " are not supported; use one of "
                    + TYPES.stream().sorted().toList() + ".");
        }
        String zone = zoneOf(zones(dns), name).orElseThrow(() -> new ExtensionException("No AliDNS zone of AccessKey "
                + AliyunSettings.from(global).accessKeyId() + " holds " + name + ". Add the domain to AliDNS first."));
        String rr = relativeName(name, zone);
        AddDomainRecordRequest add = new AddDomainRecordRequest();
        add.setDomainName(zone);
        add.setRR(rr);
        add.setType(type);
        add.setValue(record.value());
        add.setTTL((long) Math.max(MIN_TTL, record.ttl()));
        try {
            return dns.call(add).getRecordId();
        } catch (AliyunApiException e) {
            if (e.is("DomainRecordDuplicate")) {
                return existing(dns, zone, rr, type, record.value()).orElseThrow(() -> e);
            }
            if (e.is("DomainRecordConflict")) {
                throw new ExtensionException("AliDNS refused " + type + " " + name + ": it conflicts with a record"
                        + " already there (a CNAME cannot share its name with other records). Remove that record"
                        + " first.", e);
            }
            throw e;
        }
    }

    /**
     * Polls {@code DescribeDomainRecordInfo} until the record is enabled with the value asked for. AliDNS answers from
     * its authoritative servers as soon as a record is enabled, so that is when ACME servers can see it.
     */
    @Override
    public void awaitVisible(ConfigValues global, String recordId, DnsRecord record, Duration waitAtMost)
            throws InterruptedException {
        AliyunRpcClient dns = AliyunRpcClient.dns(AliyunSettings.from(global));
        long deadline = System.nanoTime() + waitAtMost.toNanos();
        String last = "not found";
        while (true) {
            DescribeDomainRecordInfoRequest describe = new DescribeDomainRecordInfoRequest();
            describe.setRecordId(recordId);
            try {
                DescribeDomainRecordInfoResponse info = dns.call(describe);
                boolean sameValue = record.value().equals(info.getValue());
                if ("ENABLE".equalsIgnoreCase(info.getStatus()) && sameValue) {
                    return;
                }
                last = sameValue ? "status " + info.getStatus() : "value differs";
            } catch (AliyunApiException e) {
                if (!GONE.contains(e.code())) {
                    throw e;
                }
            }
            if (System.nanoTime() + pollInterval.toNanos() > deadline) {
                throw new ExtensionException("The AliDNS record " + record.type() + " " + record.name() + " (id "
                        + recordId + ") was not in effect after " + waitAtMost.toSeconds() + " s (" + last + ").");
            }
            Thread.sleep(pollInterval.toMillis());
        }
    }

    @Override
    public void deleteRecord(ConfigValues global, String recordId) {
        DeleteDomainRecordRequest delete = new DeleteDomainRecordRequest();
        delete.setRecordId(recordId);
        try {
            AliyunRpcClient.dns(AliyunSettings.from(global)).call(delete);
        } catch (AliyunApiException e) {
            if (!GONE.contains(e.code())) {
                throw e;
            }
        }
    }

    /**
     * Lists the zones (alidns:DescribeDomains), reads the first zone's records (alidns:DescribeDomainRecords), then
     * adds and deletes a TXT record {@code _miaobu-connection-check} in it (alidns:AddDomainRecord and
     * alidns:DeleteDomainRecord), leaving nothing behind.
     */
    @Override
    public List<ConnectionCheck> checkConnection(ConfigValues global) {
        AliyunSettings settings = AliyunSettings.from(global);
        List<ConnectionCheck> checks = new ArrayList<>();
        AliyunRpcClient dns;
        try {
            dns = AliyunRpcClient.dns(settings);
        } catch (ExtensionException e) {
            return List.of(ConnectionCheck.failed("Sign in to AliDNS", e.getMessage()));
        }
        String list = "Sign in to AliDNS at " + dns.host() + " and list its domains ("
                + dns.ramAction("DescribeDomains") + ")";
        List<String> zones;
        try {
            zones = zones(dns);
            checks.add(ConnectionCheck.passed(list, zones.isEmpty() ? "no domains yet"
                    : zones.size() + " domain(s): " + String.join(", ", zones.subList(0, Math.min(5, zones.size())))
                    + (zones.size() > 5 ? ", …" : "")));
        } catch (AliyunApiException e) {
            checks.add(ConnectionCheck.failed(list, e.getMessage()));
            return checks;
        }
        if (zones.isEmpty()) {
            return checks;
        }
        String zone = zones.get(0);
        String read = "Read the records of " + zone + " (" + dns.ramAction("DescribeDomainRecords") + ")";
        try {
            DescribeDomainRecordsRequest records = new DescribeDomainRecordsRequest();
            records.setDomainName(zone);
            records.setPageSize(1L);
            checks.add(ConnectionCheck.passed(read, dns.call(records).getTotalCount() + " record(s)"));
        } catch (AliyunApiException e) {
            checks.add(ConnectionCheck.failed(read, e.getMessage()));
        }
        String add = "Add a TXT record to " + zone + " (" + dns.ramAction("AddDomainRecord") + ")";
        String recordId;
        try {
            AddDomainRecordRequest request = new AddDomainRecordRequest();
            request.setDomainName(zone);
            request.setRR("_miaobu-connection-check");
            request.setType("TXT");
            request.setValue("miaobu-" + Long.toHexString(System.nanoTime()));
            request.setTTL((long) MIN_TTL);
            recordId = dns.call(request).getRecordId();
            checks.add(ConnectionCheck.passed(add, "record " + recordId));
        } catch (AliyunApiException e) {
            checks.add(ConnectionCheck.failed(add, e.getMessage()));
            return checks;
        }
        String delete = "Delete that record again (" + dns.ramAction("DeleteDomainRecord") + ")";
        try {
            DeleteDomainRecordRequest request = new DeleteDomainRecordRequest();
            request.setRecordId(recordId);
            dns.call(request);
            checks.add(ConnectionCheck.passed(delete, "deleted"));
        } catch (AliyunApiException e) {
            checks.add(ConnectionCheck.failed(delete, e.getMessage() + " Delete the TXT record"
                    + " _miaobu-connection-check." + zone + " by hand."));
        }
        return checks;
    }

    static List<String> zones(AliyunRpcClient dns) {
        List<String> zones = new ArrayList<>();
        for (long page = 1; ; page++) {
            DescribeDomainsRequest describe = new DescribeDomainsRequest();
            describe.setPageNumber(page);
            describe.setPageSize(PAGE_SIZE);
            DescribeDomainsResponse answer = dns.call(describe);
            List<DescribeDomainsResponse.Domain> domains = answer.getDomains() == null ? List.of()
                    : answer.getDomains();
            domains.forEach(d -> zones.add(d.getDomainName().toLowerCase(Locale.ROOT)));
            long total = answer.getTotalCount() == null ? 0 : answer.getTotalCount();
            if (domains.isEmpty() || page * PAGE_SIZE >= total) {
                return zones;
            }
        }
    }

    static Optional<String> zoneOf(List<String> zones, String name) {
        return zones.stream().filter(zone -> name.equals(zone) || name.endsWith("." + zone))
                .max(Comparator.comparingInt(String::length));
    }

    static String relativeName(String name, String zone) {
        return name.equals(zone) ? "@" : name.substring(0, name.length() - zone.length() - 1);
    }

    private static Optional<String> existing(AliyunRpcClient dns, String zone, String rr, String type, String value) {
        DescribeDomainRecordsRequest describe = new DescribeDomainRecordsRequest();
        describe.setDomainName(zone);
        describe.setRRKeyWord(rr);
        describe.setTypeKeyWord(type);
        describe.setValueKeyWord(value);
        describe.setPageSize(PAGE_SIZE);
        DescribeDomainRecordsResponse answer = dns.call(describe);
        return answer.getDomainRecords() == null ? Optional.empty() : answer.getDomainRecords().stream()
                .filter(r -> rr.equals(r.getRR()) && type.equalsIgnoreCase(r.getType()) && value.equals(r.getValue()))
                .map(DescribeDomainRecordsResponse.Record::getRecordId).findFirst();
    }

    static String normalize(String domain) {
        String name = domain == null ? "" : domain.strip().toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (!name.matches("([a-z0-9_*]([a-z0-9_-]{0,61}[a-z0-9])?\\.)+[a-z0-9-]{2,63}")) {
            throw new ExtensionException("'" + domain + "' is not a domain name.");
        }
        return name;
    }
}
