package io.miaobu.plugin.aliyun.rpc.standin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * AliDNS (API 2015-01-09) inside {@link AliyunRpcStandIn}: zones of the account and their records, answered in the
 * JSON shapes the SDK's unmarshallers read.
 *
 * <p>A new record answers {@code DISABLE} to its first {@link #visibleAfter} {@code DescribeDomainRecordInfo} calls and
 * {@code ENABLE} after, so a caller's wait is exercised. TTLs below {@link #minTtl} (600, the free edition's) are
 * refused.
 */
public final class AliDnsStandIn {

    static final String VERSION = "2015-01-09";
    private static final Set<String> TYPES = Set.of("A", "AAAA", "CNAME", "TXT", "MX", "NS", "CAA", "SRV",
            "REDIRECT_URL", "FORWARD_URL");

    /** A record as AliDNS keeps it. */
    public record Record(String id, String zone, String rr, String type, String value, long ttl, String status) {

        /** The fully qualified name. */
        public String name() {
            return rr.equals("@") ? zone : rr + "." + zone;
        }
    }

    private final Object lock;
    private final Map<String, String> zones = new LinkedHashMap<>();
    private final Map<String, MutableRecord> records = new LinkedHashMap<>();
    private final AtomicLong ids = new AtomicLong(9000000000L);
    private int visibleAfter;
    private int minTtl = 600;

    AliDnsStandIn(Object lock) {
        this.lock = lock;
    }

    /** Adds a zone (a domain hosted on AliDNS) to the account. */
    public void addZone(String domain) {
        synchronized (lock) {
            zones.put(domain, "dom-" + Long.toHexString(ids.incrementAndGet()));
        }
    }

    /** How many {@code DescribeDomainRecordInfo} calls a new record answers {@code DISABLE} before {@code ENABLE}. */
    public void visibleAfter(int describes) {
        synchronized (lock) {
            visibleAfter = describes;
        }
    }

    /** The lowest TTL accepted (600 on the free edition). */
    public void minTtl(int seconds) {
        synchronized (lock) {
            minTtl = seconds;
        }
    }

    /** The records now, in order of creation. */
    public List<Record> records() {
        synchronized (lock) {
            return records.values().stream().map(MutableRecord::snapshot).toList();
        }
    }

    /** The record with that id, if it exists. */
    public Optional<Record> record(String id) {
        synchronized (lock) {
            return Optional.ofNullable(records.get(id)).map(MutableRecord::snapshot);
        }
    }

    ObjectNode act(String action, Params params) {
        ObjectNode body = AliyunRpcStandIn.JSON.createObjectNode();
        switch (action) {
            case "DescribeDomains" -> describeDomains(params, body);
            case "AddDomainRecord" -> body.put("RecordId", add(params));
            case "DescribeDomainRecordInfo" -> describeRecord(params, body);
            case "DeleteDomainRecord" -> body.put("RecordId", records.remove(existing(params.required("RecordId")).id).id);
            case "DescribeDomainRecords" -> describeRecords(params, body);
            default -> throw new RpcError(404, "InvalidAction.NotFound", "Specified api is not found, please check"
                    + " your url and method.");
        }
        return body;
    }

    private void describeDomains(Params params, ObjectNode body) {
        int size = params.integer("PageSize", 20);
        if (size < 1 || size > 100) {
            throw new RpcError(400, "InvalidPageSize", "PageSize is 1 to 100.");
        }
        int page = params.integer("PageNumber", 1);
        List<Map.Entry<String, String>> all = new ArrayList<>(zones.entrySet());
        ArrayNode list = body.putObject("Domains").putArray("Domain");
        for (Map.Entry<String, String> zone : all.subList(Math.min(all.size(), (page - 1) * size),
                Math.min(all.size(), page * size))) {
            ObjectNode item = list.addObject().put("DomainId", zone.getValue()).put("DomainName", zone.getKey())
                    .put("PunyCode", zone.getKey()).put("AliDomain", false).put("VersionCode", "mianfei")
                    .put("VersionName", "Alibaba Cloud DNS")
                    .put("RecordCount", records.values().stream().filter(r -> r.zone.equals(zone.getKey())).count());
            item.putObject("DnsServers").putArray("DnsServer").add("dns1.hichina.com").add("dns2.hichina.com");
        }
        body.put("TotalCount", all.size());
        body.put("PageNumber", page);
        body.put("PageSize", size);
    }

    private String add(Params params) {
        String zone = params.required("DomainName").toLowerCase(Locale.ROOT);
        if (!zones.containsKey(zone)) {
            throw new RpcError(400, "InvalidDomainName.NoExist", "The specified domain name does not exist. Refresh"
                    + " the page and try again.");
        }
        String rr = params.required("RR");
        String type = params.required("Type").toUpperCase(Locale.ROOT);
        if (!TYPES.contains(type)) {
            throw new RpcError(400, "InvalidType", "The specified record type is invalid.");
        }
        String value = params.required("Value");
        long ttl = params.integer("TTL", 600);
        if (ttl < minTtl || ttl > 86400) {
            throw new RpcError(400, "DomainRecordTTL.NotSupported", "The TTL is not supported by the DNS edition of"
                    + " the domain.");
        }
        for (MutableRecord other : records.values()) {
            if (other.zone.equals(zone) && other.rr.equalsIgnoreCase(rr)) {
                if (other.type.equals(type) && other.value.equals(value)) {
                    throw new RpcError(400, "DomainRecordDuplicate", "The DNS record already exists.");
                }
                if (type.equals("CNAME") || other.type.equals("CNAME")) {
                    throw new RpcError(400, "DomainRecordConflict", "The DNS record conflicts with other records.");
                }
            }
        }
        MutableRecord record = new MutableRecord(Long.toString(ids.incrementAndGet()), zone, rr, type, value, ttl);
        records.put(record.id, record);
        return record.id;
    }

    private void describeRecord(Params params, ObjectNode body) {
        MutableRecord record = existing(params.required("RecordId"));
        Record snapshot = record.snapshot();
        record.describes++;
        body.put("RecordId", snapshot.id()).put("DomainName", snapshot.zone()).put("DomainId", zones.get(record.zone))
                .put("RR", snapshot.rr()).put("Type", snapshot.type()).put("Value", snapshot.value())
                .put("TTL", snapshot.ttl()).put("Line", "default").put("Status", snapshot.status())
                .put("Locked", false).put("PunyCode", snapshot.zone());
    }

    private void describeRecords(Params params, ObjectNode body) {
        String zone = params.required("DomainName").toLowerCase(Locale.ROOT);
        if (!zones.containsKey(zone)) {
            throw new RpcError(400, "InvalidDomainName.NoExist", "The specified domain name does not exist.");
        }
        int size = params.integer("PageSize", 20);
        int page = params.integer("PageNumber", 1);
        String rr = params.optional("RRKeyWord", "");
        String type = params.optional("TypeKeyWord", "");
        String value = params.optional("ValueKeyWord", "");
        List<MutableRecord> matching = records.values().stream().filter(r -> r.zone.equals(zone))
                .filter(r -> r.rr.contains(rr) && r.type.contains(type.toUpperCase(Locale.ROOT))
                        && r.value.contains(value)).toList();
        ArrayNode list = body.putObject("DomainRecords").putArray("Record");
        for (MutableRecord record : matching.subList(Math.min(matching.size(), (page - 1) * size),
                Math.min(matching.size(), page * size))) {
            Record r = record.snapshot();
            list.addObject().put("RecordId", r.id()).put("DomainName", r.zone()).put("RR", r.rr())
                    .put("Type", r.type()).put("Value", r.value()).put("TTL", r.ttl()).put("Line", "default")
                    .put("Status", r.status()).put("Locked", false).put("Weight", 1);
        }
        body.put("TotalCount", matching.size());
        body.put("PageNumber", page);
        body.put("PageSize", size);
    }

    private MutableRecord existing(String id) {
        MutableRecord record = records.get(id);
        if (record == null) {
            throw new RpcError(400, "DomainRecordNotBelongToUser", "The DNS record does not belong to the user.");
        }
        return record;
    }

    private final class MutableRecord {
        final String id;
        final String zone;
        final String rr;
        final String type;
        final String value;
        final long ttl;
        int describes;

        MutableRecord(String id, String zone, String rr, String type, String value, long ttl) {
            this.id = id;
            this.zone = zone;
            this.rr = rr;
            this.type = type;
            this.value = value;
            this.ttl = ttl;
        }

        Record snapshot() {
            return new Record(id, zone, rr, type, value, ttl, describes >= visibleAfter ? "ENABLE" : "DISABLE");
        }
    }
}
