package io.miaobu.plugin.aliyun.cdn;

import com.aliyuncs.cdn.model.v20180510.AddCdnDomainRequest;
import com.aliyuncs.cdn.model.v20180510.DeleteCdnDomainRequest;
import com.aliyuncs.cdn.model.v20180510.DescribeCdnDomainDetailRequest;
import com.aliyuncs.cdn.model.v20180510.DescribeCdnDomainDetailResponse.GetDomainDetailModel;
import com.aliyuncs.cdn.model.v20180510.DescribeCdnDomainDetailResponse.GetDomainDetailModel.SourceModel;
import com.aliyuncs.cdn.model.v20180510.DescribeCdnServiceRequest;
import com.aliyuncs.cdn.model.v20180510.DescribeRefreshTaskByIdRequest;
import com.aliyuncs.cdn.model.v20180510.DescribeRefreshTaskByIdResponse;
import com.aliyuncs.cdn.model.v20180510.DescribeUserDomainsRequest;
import com.aliyuncs.cdn.model.v20180510.DescribeUserDomainsResponse;
import com.aliyuncs.cdn.model.v20180510.RefreshObjectCachesRequest;
import com.aliyuncs.cdn.model.v20180510.SetCdnDomainSSLCertificateRequest;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.miaobu.api.ExtensionException;
import io.miaobu.api.cdn.CdnProvider;
import io.miaobu.api.cdn.DomainBinding;
import io.miaobu.api.cdn.PurgeTask;
import io.miaobu.api.cert.CertificateBundle;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.config.ConnectionCheck;
import io.miaobu.plugin.aliyun.AliyunExtension;
import io.miaobu.plugin.aliyun.AliyunSettings;
import io.miaobu.plugin.aliyun.rpc.AliyunApiException;
import io.miaobu.plugin.aliyun.rpc.AliyunRpcClient;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.pf4j.Extension;

/**
 * Alibaba Cloud CDN in front of the plugin's OSS bucket: custom domains with the bucket as origin, cache refreshes after
 * go-live, and HTTPS certificates, through {@code aliyun-java-sdk-cdn} (API version 2018-05-10).
 */
@Extension
public final class AliyunCdnProvider extends AliyunExtension implements CdnProvider {

    /**
     * URLs per {@code RefreshObjectCaches} call. Alibaba documents 1,000 URLs per call today and allowed 100 before;
     * 100 stays inside both, and the joined task id still fits the 10 ids {@code DescribeRefreshTaskById} takes.
     */
    static final int PURGE_BATCH = 100;
    /** Task ids per {@code DescribeRefreshTaskById} call, as Alibaba documents. */
    static final int STATUS_BATCH = 10;
    static final String SITE_TAG = "miaobu-site";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter CERT_DATE = DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC);

    public AliyunCdnProvider() {
    }

    @Override
    public String displayName() {
        return "Alibaba Cloud CDN";
    }

    @Override
    public DomainBinding bindDomain(ConfigValues global, String siteKey, String domain) {
        AliyunSettings settings = AliyunSettings.from(global);
        String name = normalize(domain);
        String origin = originHost(settings);
        AliyunRpcClient cdn = AliyunRpcClient.cdn(settings);
        AddCdnDomainRequest add = new AddCdnDomainRequest();
        add.setDomainName(name);
        add.setCdnType("web");
        add.setScope(scope(global));
        add.setSources(sources(origin));
        if (siteKey != null && !siteKey.isBlank()) {
            AddCdnDomainRequest.Tag tag = new AddCdnDomainRequest.Tag();
            tag.setKey(SITE_TAG);
            tag.setValue(siteKey);
            add.setTags(List.of(tag));
        }
        boolean existed = false;
        try {
            cdn.call(add);
        } catch (AliyunApiException e) {
            if (!e.is("InvalidDomain.Duplicate", "DomainAlreadyExist", "Domain.AlreadyExist")) {
                throw e;
            }
            existed = true;
        }
        GetDomainDetailModel detail;
        try {
            detail = detail(cdn, name);
        } catch (AliyunApiException e) {
            if (existed && notFound(e)) {
                throw new ExtensionException(name + " is already on Alibaba Cloud CDN in another account. Remove it"
                        + " there first, or verify ownership with Alibaba Cloud to take it over.", e);
            }
            throw e;
        }
        DomainBinding binding = binding(name, detail);
        if (existed && !servesFrom(detail, origin)) {
            return new DomainBinding(name, binding.status(), binding.cname(), name + " was already on Alibaba Cloud CDN"
                    + " with another origin; Miaobu left it unchanged. Set its origin to the OSS bucket " + origin
                    + " to serve the site. " + binding.message());
        }
        return binding;
    }

    @Override
    public DomainBinding domainStatus(ConfigValues global, String domain) {
        String name = normalize(domain);
        try {
            return binding(name, detail(AliyunRpcClient.cdn(AliyunSettings.from(global)), name));
        } catch (AliyunApiException e) {
            if (notFound(e)) {
                return new DomainBinding(name, DomainBinding.Status.OFFLINE, "", name + " is not on Alibaba Cloud CDN.");
            }
            throw e;
        }
    }

    @Override
    public void unbindDomain(ConfigValues global, String domain) {
        DeleteCdnDomainRequest delete = new DeleteCdnDomainRequest();
        delete.setDomainName(normalize(domain));
        try {
            AliyunRpcClient.cdn(AliyunSettings.from(global)).call(delete);
        } catch (AliyunApiException e) {
            if (!notFound(e)) {
                throw e;
            }
        }
    }

    /**
     * Refreshes the URLs in batches of {@link #PURGE_BATCH}; the returned id joins the batches' task ids with commas
     * (the form {@code DescribeRefreshTaskById} takes). No URLs: an already complete task with an empty id.
     */
    @Override
    public PurgeTask purge(ConfigValues global, Collection<String> urls) {
        List<String> objects = urls.stream().map(AliyunCdnProvider::checkedUrl).distinct().toList();
        if (objects.isEmpty()) {
            return new PurgeTask("", PurgeTask.Status.COMPLETE);
        }
        AliyunRpcClient cdn = AliyunRpcClient.cdn(AliyunSettings.from(global));
        List<String> taskIds = new ArrayList<>();
        for (int from = 0; from < objects.size(); from += PURGE_BATCH) {
            RefreshObjectCachesRequest refresh = new RefreshObjectCachesRequest();
            refresh.setObjectType("File");
            refresh.setObjectPath(String.join("\n", objects.subList(from, Math.min(objects.size(),
                    from + PURGE_BATCH))));
            String taskId = cdn.call(refresh).getRefreshTaskId();
            if (taskId == null || taskId.isBlank()) {
                throw new ExtensionException("Alibaba Cloud CDN accepted a refresh but returned no task id.");
            }
            taskIds.add(taskId.strip());
        }
        return new PurgeTask(String.join(",", taskIds), PurgeTask.Status.RUNNING);
    }

    /**
     * A site is served on the CDN at {@code <hostLabel>.<cdn domain>} for each configured CDN domain (a wildcard CDN
     * domain {@code *.sites.example.com} in front of the bucket; the edge routine picks the site by the host's first
     * label), so the changed paths are refreshed there; a changed {@code …/index.html} also as its directory.
     */
    @Override
    public java.util.Optional<PurgeTask> refreshPaths(ConfigValues global, String hostLabel,
                                                       Collection<String> paths) {
        AliyunSettings settings = AliyunSettings.from(global);
        if (!settings.configured() || settings.cdnDomains().isEmpty() || paths.isEmpty()) {
            return java.util.Optional.empty();
        }
        List<String> urls = new ArrayList<>();
        for (String domain : settings.cdnDomains()) {
            String base = "https://" + hostLabel + "." + (domain.startsWith("*.") ? domain.substring(2) : domain);
            for (String path : paths.stream().sorted().toList()) {
                String absolute = path.startsWith("/") ? path : "/" + path;
                urls.add(base + absolute);
                if (absolute.endsWith("/index.html")) {
                    urls.add(base + absolute.substring(0, absolute.length() - "index.html".length()));
                }
            }
        }
        return java.util.Optional.of(purge(global, urls));
    }

    @Override
    public PurgeTask purgeStatus(ConfigValues global, String taskId) {
        List<String> ids = splitIds(taskId);
        if (ids.isEmpty()) {
            return new PurgeTask(taskId == null ? "" : taskId, PurgeTask.Status.COMPLETE);
        }
        AliyunRpcClient cdn = AliyunRpcClient.cdn(AliyunSettings.from(global));
        boolean running = false;
        for (int from = 0; from < ids.size(); from += STATUS_BATCH) {
            List<String> batch = ids.subList(from, Math.min(ids.size(), from + STATUS_BATCH));
            DescribeRefreshTaskByIdRequest describe = new DescribeRefreshTaskByIdRequest();
            describe.setTaskId(String.join(",", batch));
            List<DescribeRefreshTaskByIdResponse.CDNTask> tasks = cdn.call(describe).getTasks();
            if (tasks == null || tasks.isEmpty()) {
                throw new ExtensionException("Alibaba Cloud CDN knows no refresh task " + String.join(",", batch)
                        + " (tasks are kept for 3 days).");
            }
            for (DescribeRefreshTaskByIdResponse.CDNTask task : tasks) {
                String status = task.getStatus() == null ? "" : task.getStatus();
                if (status.equalsIgnoreCase("Failed")) {
                    return new PurgeTask(taskId, PurgeTask.Status.FAILED);
                }
                running |= !status.equalsIgnoreCase("Complete");
            }
        }
        return new PurgeTask(taskId, running ? PurgeTask.Status.RUNNING : PurgeTask.Status.COMPLETE);
    }

    /**
     * Uploads the certificate and turns HTTPS on with it. Each upload gets its own name (domain, expiry, content hash),
     * because Alibaba keeps uploaded certificates by name; renewing is calling this again with the new bundle.
     */
    @Override
    public void installCertificate(ConfigValues global, String domain, CertificateBundle certificate) {
        String name = normalize(domain);
        SetCdnDomainSSLCertificateRequest set = new SetCdnDomainSSLCertificateRequest();
        set.setDomainName(name);
        set.setSSLProtocol("on");
        set.setCertType("upload");
        set.setCertName(certificateName(name, certificate));
        set.setSSLPub(certificate.certificatePem());
        set.setSSLPri(certificate.privateKeyPem().reveal());
        AliyunRpcClient.cdn(AliyunSettings.from(global)).call(set);
    }

    /**
     * One check per read permission, and the refresh permission on the first configured CDN domain (refreshing a path
     * Miaobu never writes). Adding domains and setting certificates cannot be tried without changing something; the
     * guide lists them.
     */
    @Override
    public List<ConnectionCheck> checkConnection(ConfigValues global) {
        AliyunSettings settings = AliyunSettings.from(global);
        List<ConnectionCheck> checks = new ArrayList<>();
        AliyunRpcClient cdn;
        try {
            cdn = AliyunRpcClient.cdn(settings);
        } catch (ExtensionException e) {
            return List.of(ConnectionCheck.failed("Sign in to Alibaba Cloud CDN", e.getMessage()));
        }
        String signIn = "Sign in to Alibaba Cloud CDN at " + cdn.host() + " (" + cdn.ramAction("DescribeCdnService")
                + ")";
        try {
            cdn.call(new DescribeCdnServiceRequest());
            checks.add(ConnectionCheck.passed(signIn, "AccessKey " + settings.accessKeyId() + " accepted"));
        } catch (AliyunApiException e) {
            checks.add(ConnectionCheck.failed(signIn, e.getMessage()));
            if (e.credentialsRefused() || !e.permissionDenied()) {
                return checks;
            }
        }
        String list = "List CDN domains (" + cdn.ramAction("DescribeUserDomains") + ")";
        try {
            DescribeUserDomainsRequest domains = new DescribeUserDomainsRequest();
            domains.setPageSize(50);
            DescribeUserDomainsResponse answer = cdn.call(domains);
            checks.add(ConnectionCheck.passed(list, answer.getTotalCount() + " domain(s) on the CDN"));
        } catch (AliyunApiException e) {
            checks.add(ConnectionCheck.failed(list, e.getMessage()));
        }
        for (String domain : settings.cdnDomains()) {
            String read = "Read CDN domain " + domain + " (" + cdn.ramAction("DescribeCdnDomainDetail") + ")";
            try {
                GetDomainDetailModel detail = detail(cdn, normalize(domain));
                checks.add(ConnectionCheck.passed(read, "status " + detail.getDomainStatus() + ", CNAME "
                        + detail.getCname()));
            } catch (AliyunApiException e) {
                checks.add(ConnectionCheck.failed(read, e.getMessage()));
            }
        }
        if (!settings.cdnDomains().isEmpty()) {
            String domain = normalize(settings.cdnDomains().get(0));
            String refresh = "Refresh cached files on " + domain + " (" + cdn.ramAction("RefreshObjectCaches") + ")";
            try {
                RefreshObjectCachesRequest request = new RefreshObjectCachesRequest();
                request.setObjectType("File");
                request.setObjectPath("https://" + domain + "/.miaobu-connection-check");
                checks.add(ConnectionCheck.passed(refresh, "task " + cdn.call(request).getRefreshTaskId()));
            } catch (AliyunApiException e) {
                checks.add(ConnectionCheck.failed(refresh, e.getMessage()));
            }
        }
        return checks;
    }

    private static GetDomainDetailModel detail(AliyunRpcClient cdn, String domain) {
        DescribeCdnDomainDetailRequest describe = new DescribeCdnDomainDetailRequest();
        describe.setDomainName(domain);
        GetDomainDetailModel detail = cdn.call(describe).getGetDomainDetailModel();
        if (detail == null) {
            throw new ExtensionException("Alibaba Cloud CDN returned no detail for " + domain + ".");
        }
        return detail;
    }

    static DomainBinding binding(String domain, GetDomainDetailModel detail) {
        String status = detail.getDomainStatus() == null ? "" : detail.getDomainStatus().toLowerCase(Locale.ROOT);
        String cname = detail.getCname() == null ? "" : detail.getCname();
        String pointAt = cname.isEmpty() ? "" : " Point a CNAME record for " + domain + " at " + cname + ".";
        return switch (status) {
            case "online" -> new DomainBinding(domain, DomainBinding.Status.ONLINE, cname,
                    "Online on Alibaba Cloud CDN." + pointAt);
            case "configuring", "checking" -> new DomainBinding(domain, DomainBinding.Status.CONFIGURING, cname,
                    "Alibaba Cloud CDN is setting the domain up (" + status + "), usually for a few minutes."
                            + pointAt);
            case "offline", "stopping", "deleting" -> new DomainBinding(domain, DomainBinding.Status.OFFLINE, cname,
                    "The domain is " + status + " on Alibaba Cloud CDN; start it in the CDN console to serve it.");
            case "configure_failed" -> new DomainBinding(domain, DomainBinding.Status.FAILED, cname,
                    "Alibaba Cloud CDN could not configure the domain (configure_failed); see the CDN console.");
            case "check_failed" -> new DomainBinding(domain, DomainBinding.Status.FAILED, cname,
                    "Alibaba Cloud's review of the domain failed (check_failed), e.g. no ICP filing for the"
                            + " domestic scope or content it does not accept; see the CDN console.");
            default -> new DomainBinding(domain, DomainBinding.Status.CONFIGURING, cname,
                    "Alibaba Cloud CDN reports the status '" + status + "'." + pointAt);
        };
    }

    /**
     * The bucket's public OSS host, which the CDN fetches from: {@code <bucket>.oss-cn-hangzhou.aliyuncs.com}. The
     * internal endpoint is for ECS inside the region, not for the CDN, so {@code -internal} is dropped.
     */
    static String originHost(AliyunSettings settings) {
        if (settings.bucket().isEmpty()) {
            throw new ExtensionException("Enter the OSS bucket in the Alibaba Cloud settings first: it is the CDN's"
                    + " origin.");
        }
        URI endpoint = settings.endpoint();
        String host = endpoint.getHost() == null ? endpoint.toString() : endpoint.getHost();
        host = host.replace("-internal.aliyuncs.com", ".aliyuncs.com");
        return host.startsWith(settings.bucket() + ".") ? host : settings.bucket() + "." + host;
    }

    static String sources(String origin) {
        ArrayNode sources = JsonNodeFactory.instance.arrayNode();
        sources.addObject().put("content", origin).put("type", "oss").put("port", 443).put("priority", "20")
                .put("weight", "10");
        try {
            return JSON.writeValueAsString(sources);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean servesFrom(GetDomainDetailModel detail, String origin) {
        List<SourceModel> sources = detail.getSourceModels();
        return sources != null && sources.stream().anyMatch(s -> origin.equalsIgnoreCase(s.getContent()));
    }

    private static String scope(ConfigValues global) {
        String scope = global.get(AliyunSettings.CDN_SCOPE, "domestic").strip().toLowerCase(Locale.ROOT);
        if (!List.of("domestic", "overseas", "global").contains(scope)) {
            throw new ExtensionException("The CDN scope is domestic, overseas or global, not '" + scope + "'.");
        }
        return scope;
    }

    private static boolean notFound(AliyunApiException e) {
        return e.code().startsWith("InvalidDomain.NotFound") || e.is("Domain.NotFound", "InvalidDomain.NotExist",
                "DomainNotFound");
    }

    static String normalize(String domain) {
        String name = domain == null ? "" : domain.strip().toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (!name.matches("(\\*\\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z0-9-]{2,63}")) {
            throw new ExtensionException("'" + domain + "' is not a domain name Alibaba Cloud CDN accepts.");
        }
        return name;
    }

    private static String checkedUrl(String url) {
        URI uri;
        try {
            uri = URI.create(url.strip());
        } catch (IllegalArgumentException e) {
            throw new ExtensionException("Cannot refresh '" + url + "': not a URL.", e);
        }
        if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
            throw new ExtensionException("Cannot refresh '" + url + "': the CDN refreshes absolute http(s) URLs.");
        }
        return uri.toString();
    }

    private static List<String> splitIds(String taskId) {
        if (taskId == null) {
            return List.of();
        }
        List<String> ids = new ArrayList<>();
        for (String id : taskId.split(",")) {
            if (!id.isBlank()) {
                ids.add(id.strip());
            }
        }
        return ids;
    }

    static String certificateName(String domain, CertificateBundle certificate) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(certificate.certificatePem().getBytes(StandardCharsets.UTF_8));
            return domain.replace("*", "wildcard").replace('.', '-') + "-" + CERT_DATE.format(certificate.notAfter())
                    + "-" + HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
