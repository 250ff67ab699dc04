package io.miaobu.plugin.aliyun.rpc.standin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Alibaba Cloud CDN (API 2018-05-10) inside {@link AliyunRpcStandIn}: domains with their origins, status and
 * certificates, and refresh tasks. Answers in the JSON shapes the SDK's unmarshallers read.
 *
 * <p>A new domain is {@code configuring} for the first {@link #onlineAfter} {@code DescribeCdnDomainDetail} calls and
 * {@code online} after; a refresh task is {@code Refreshing} for its first {@link #refreshCompletesAfter} looks and
 * {@code Complete} after. {@code RefreshObjectCaches} makes one task per URL and answers their ids joined by commas.
 */
public final class CdnStandIn {

    static final String VERSION = "2018-05-10";

    /**
     * A certificate as set on a domain.
     *
     * @param name          the {@code CertName}
     * @param publicPem     {@code SSLPub}
     * @param privateKeyPem {@code SSLPri}
     */
    public record Certificate(String name, String publicPem, String privateKeyPem) {
    }

    /**
     * A domain on the CDN.
     *
     * @param sources      the origins as sent ({@code Sources} JSON, parsed)
     * @param tags         tag key to value
     * @param certificate  the certificate served now, or {@code null}
     * @param certificates every certificate set, oldest first
     */
    public record Domain(String name, String status, String cname, String scope, String cdnType, JsonNode sources,
                         Map<String, String> tags, boolean https, Certificate certificate,
                         List<Certificate> certificates) {
    }

    /** A refresh task: one URL. */
    public record RefreshTask(String id, String url, String objectType, String status) {
    }

    private final Object lock;
    private final Clock clock;
    private final Map<String, MutableDomain> domains = new LinkedHashMap<>();
    private final Set<String> foreign = new HashSet<>();
    private final Map<String, MutableTask> tasks = new LinkedHashMap<>();
    private final Set<String> failingUrls = new HashSet<>();
    private final AtomicLong ids = new AtomicLong(704222900);
    private int onlineAfter = 1;
    private int refreshCompletesAfter = 1;
    private int refreshUrlLimit = 1000;

    CdnStandIn(Object lock, Clock clock) {
        this.lock = lock;
        this.clock = clock;
    }

    /** How many {@code DescribeCdnDomainDetail} calls a new domain answers {@code configuring} before {@code online}. */
    public void onlineAfter(int describes) {
        synchronized (lock) {
            onlineAfter = describes;
        }
    }

    /** How many looks a refresh task answers {@code Refreshing} before {@code Complete}. */
    public void refreshCompletesAfter(int looks) {
        synchronized (lock) {
            refreshCompletesAfter = looks;
        }
    }

    /** URLs per {@code RefreshObjectCaches} call the stand-in accepts (Alibaba documents 1,000). */
    public void refreshUrlLimit(int urls) {
        synchronized (lock) {
            refreshUrlLimit = urls;
        }
    }

    /** Refresh tasks for this URL end {@code Failed}. */
    public void failRefreshOf(String url) {
        synchronized (lock) {
            failingUrls.add(url);
        }
    }

    /** A domain on the CDN of another account: adding it is a duplicate, describing it is not found. */
    public void addForeignDomain(String name) {
        synchronized (lock) {
            foreign.add(name);
        }
    }

    /** Puts a domain on the CDN directly (state that existed before the test). */
    public void addDomain(String name, String status, String originHost) {
        synchronized (lock) {
            ObjectNode source = AliyunRpcStandIn.JSON.createObjectNode().put("content", originHost).put("type", "oss")
                    .put("port", 443).put("priority", "20").put("weight", "10");
            MutableDomain domain = new MutableDomain(name, "domestic", "web",
                    AliyunRpcStandIn.JSON.createArrayNode().add(source), Map.of());
            domain.status = status;
            domains.put(name, domain);
        }
    }

    /** Sets a domain's status ({@code online}, {@code offline}, {@code check_failed}, ...). */
    public void setStatus(String name, String status) {
        synchronized (lock) {
            domains.get(name).status = status;
            domains.get(name).describes = Integer.MIN_VALUE;
        }
    }

    /** A domain's current state. */
    public Optional<Domain> domain(String name) {
        synchronized (lock) {
            return Optional.ofNullable(domains.get(name)).map(MutableDomain::snapshot);
        }
    }

    /** Every refresh task made, in order. */
    public List<RefreshTask> refreshTasks() {
        synchronized (lock) {
            return tasks.values().stream().map(t -> new RefreshTask(t.id, t.url, t.objectType, t.status())).toList();
        }
    }

    ObjectNode act(String action, Params params) {
        ObjectNode body = AliyunRpcStandIn.JSON.createObjectNode();
        switch (action) {
            case "AddCdnDomain" -> add(params);
            case "DescribeCdnDomainDetail" -> body.set("GetDomainDetailModel", detail(params));
            case "DeleteCdnDomain" -> domains.remove(existing(params.required("DomainName")).name);
            case "RefreshObjectCaches" -> body.put("RefreshTaskId", refresh(params));
            case "DescribeRefreshTaskById" -> describeTasks(params, body);
            case "SetCdnDomainSSLCertificate" -> setCertificate(params);
            case "DescribeUserDomains" -> userDomains(params, body);
            case "DescribeCdnService" -> {
                body.put("InstanceId", "CdnService-standin");
                body.put("InternetChargeType", "PayByTraffic");
                body.put("OpeningTime", "2024-01-01T00:00:00Z");
                body.putObject("OperationLocks").putArray("LockReason");
            }
            default -> throw new RpcError(404, "InvalidAction.NotFound", "Specified api is not found, please check"
                    + " your url and method.");
        }
        return body;
    }

    private void add(Params params) {
        String name = params.required("DomainName");
        if (domains.containsKey(name) || foreign.contains(name)) {
            throw new RpcError(400, "InvalidDomain.Duplicate", "The specified domain already exists.");
        }
        String cdnType = params.required("CdnType");
        if (!Set.of("web", "download", "video").contains(cdnType)) {
            throw new RpcError(400, "InvalidCdnType.Malformed", "The specified CdnType is invalid.");
        }
        String scope = params.optional("Scope", "domestic");
        if (!Set.of("domestic", "overseas", "global").contains(scope)) {
            throw new RpcError(400, "InvalidScope.Malformed", "The specified Scope is invalid.");
        }
        JsonNode sources;
        try {
            sources = AliyunRpcStandIn.JSON.readTree(params.required("Sources"));
        } catch (JsonProcessingException e) {
            throw new RpcError(400, "InvalidSources.Malformed", "The specified Sources is malformed.");
        }
        if (!sources.isArray() || sources.isEmpty()) {
            throw new RpcError(400, "InvalidSources.Malformed", "The specified Sources is malformed.");
        }
        for (JsonNode source : sources) {
            if (!source.hasNonNull("content") || !Set.of("ipaddr", "domain", "oss", "fc_domain")
                    .contains(source.path("type").asText())) {
                throw new RpcError(400, "InvalidSources.Malformed", "The specified Sources is malformed.");
            }
        }
        Map<String, String> tags = new TreeMap<>();
        for (int i = 1; params.values().containsKey("Tag." + i + ".Key"); i++) {
            tags.put(params.values().get("Tag." + i + ".Key"), params.optional("Tag." + i + ".Value", ""));
        }
        domains.put(name, new MutableDomain(name, scope, cdnType, sources, tags));
    }

    private ObjectNode detail(Params params) {
        MutableDomain domain = existing(params.required("DomainName"));
        if (domain.status.equals("configuring") && domain.describes++ >= onlineAfter) {
            domain.status = "online";
        }
        ObjectNode model = AliyunRpcStandIn.JSON.createObjectNode();
        model.put("DomainName", domain.name);
        model.put("DomainStatus", domain.status);
        model.put("Cname", domain.cname());
        model.put("HttpsCname", "");
        model.put("CdnType", domain.cdnType);
        model.put("Scope", domain.scope);
        model.put("GmtCreated", domain.created.toString());
        model.put("GmtModified", domain.created.toString());
        model.put("Description", "");
        model.put("ResourceGroupId", "rg-standin");
        model.put("ServerCertificateStatus", domain.https ? "on" : "off");
        ArrayNode list = model.putObject("SourceModels").putArray("SourceModel");
        for (JsonNode source : domain.sources) {
            list.addObject().put("Content", source.path("content").asText()).put("Type", source.path("type").asText())
                    .put("Port", source.path("port").asInt(80)).put("Priority", source.path("priority").asText("20"))
                    .put("Weight", source.path("weight").asText("10")).put("Enabled", "online");
        }
        return model;
    }

    private String refresh(Params params) {
        String type = params.optional("ObjectType", "File");
        if (!Set.of("File", "Directory", "Regex", "IgnoreParams").contains(type)) {
            throw new RpcError(400, "InvalidObjectType.Malformed", "The specified ObjectType is invalid.");
        }
        List<String> urls = params.required("ObjectPath").lines().map(String::strip).filter(u -> !u.isEmpty())
                .toList();
        if (urls.size() > refreshUrlLimit) {
            throw new RpcError(400, "InvalidObjectPath.ExceedLimit", "The number of URLs exceeds the limit of "
                    + refreshUrlLimit + " per request.");
        }
        List<String> created = new ArrayList<>();
        for (String url : urls) {
            if (!url.startsWith("http://") && !url.startsWith("https://")) {
                throw new RpcError(400, "InvalidObjectPath.Malformed", "The specified ObjectPath is invalid.");
            }
            MutableTask task = new MutableTask(Long.toString(ids.incrementAndGet()), url, type,
                    failingUrls.contains(url));
            tasks.put(task.id, task);
            created.add(task.id);
        }
        return String.join(",", created);
    }

    private void describeTasks(Params params, ObjectNode body) {
        List<String> asked = List.of(params.required("TaskId").split(","));
        if (asked.size() > 10) {
            throw new RpcError(400, "InvalidTaskId.ExceedLimit", "You can query up to 10 task IDs at a time.");
        }
        ArrayNode list = body.putArray("Tasks");
        for (String id : asked) {
            MutableTask task = tasks.get(id.strip());
            if (task == null) {
                continue;
            }
            task.looks++;
            String status = task.status();
            list.addObject().put("TaskId", task.id).put("ObjectPath", task.url).put("ObjectType", task.objectType)
                    .put("Status", status).put("Process", status.equals("Complete") ? "100%" : "50%")
                    .put("CreationTime", task.created.toString()).put("Description", "");
        }
        body.put("TotalCount", list.size());
    }

    private void setCertificate(Params params) {
        MutableDomain domain = existing(params.required("DomainName"));
        String protocol = params.required("SSLProtocol");
        if (protocol.equals("off")) {
            domain.https = false;
            return;
        }
        if (!protocol.equals("on")) {
            throw new RpcError(400, "InvalidSSLProtocol.ValueNotSupported", "The specified SSLProtocol is invalid.");
        }
        if (!params.optional("CertType", "upload").equals("upload")) {
            throw new RpcError(400, "InvalidCertType.ValueNotSupported", "This stand-in takes CertType upload only.");
        }
        String pub = params.required("SSLPub");
        String pri = params.required("SSLPri");
        if (!pub.contains("-----BEGIN CERTIFICATE-----") || !pri.contains("PRIVATE KEY-----")) {
            throw new RpcError(400, "Certificate.FormatError", "The certificate or private key is not PEM.");
        }
        Certificate certificate = new Certificate(params.required("CertName"), pub, pri);
        domain.https = true;
        domain.certificates.add(certificate);
    }

    private void userDomains(Params params, ObjectNode body) {
        int size = Math.min(500, params.integer("PageSize", 20));
        int page = params.integer("PageNumber", 1);
        List<MutableDomain> all = new ArrayList<>(domains.values());
        ArrayNode list = body.putObject("Domains").putArray("PageData");
        for (MutableDomain domain : all.subList(Math.min(all.size(), (page - 1) * size),
                Math.min(all.size(), page * size))) {
            ObjectNode item = list.addObject().put("DomainName", domain.name).put("Cname", domain.cname())
                    .put("DomainStatus", domain.status).put("CdnType", domain.cdnType)
                    .put("Coverage", domain.scope).put("SslProtocol", domain.https ? "on" : "off")
                    .put("GmtCreated", domain.created.toString());
            ArrayNode sources = item.putObject("Sources").putArray("Source");
            for (JsonNode source : domain.sources) {
                sources.addObject().put("Content", source.path("content").asText())
                        .put("Type", source.path("type").asText()).put("Port", source.path("port").asInt(80));
            }
        }
        body.put("TotalCount", all.size());
        body.put("PageNumber", page);
        body.put("PageSize", size);
    }

    private MutableDomain existing(String name) {
        MutableDomain domain = domains.get(name);
        if (domain == null) {
            throw new RpcError(400, "InvalidDomain.NotFound", "The domain provided does not belong to you.");
        }
        return domain;
    }

    private final class MutableDomain {
        final String name;
        final String scope;
        final String cdnType;
        final JsonNode sources;
        final Map<String, String> tags;
        final Instant created = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        final List<Certificate> certificates = new ArrayList<>();
        String status = "configuring";
        int describes;
        boolean https;

        MutableDomain(String name, String scope, String cdnType, JsonNode sources, Map<String, String> tags) {
            this.name = name;
            this.scope = scope;
            this.cdnType = cdnType;
            this.sources = sources;
            this.tags = Map.copyOf(tags);
        }

        String cname() {
            return name + ".w.kunlunsl.com";
        }

        Domain snapshot() {
            return new Domain(name, status, cname(), scope, cdnType, sources.deepCopy(), tags, https,
                    certificates.isEmpty() ? null : certificates.get(certificates.size() - 1),
                    List.copyOf(certificates));
        }
    }

    private final class MutableTask {
        final String id;
        final String url;
        final String objectType;
        final boolean fails;
        final Instant created = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        int looks;

        MutableTask(String id, String url, String objectType, boolean fails) {
            this.id = id;
            this.url = url;
            this.objectType = objectType;
            this.fails = fails;
        }

        String status() {
            if (looks <= refreshCompletesAfter) {
                return "Refreshing";
            }
            return fails ? "Failed" : "Complete";
        }
    }
}
