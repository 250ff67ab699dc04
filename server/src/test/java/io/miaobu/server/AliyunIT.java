package io.miaobu.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.miaobu.plugin.aliyun.oss.standin.OssStandIn;
import io.miaobu.plugin.aliyun.rpc.standin.AliyunRpcStandIn;
import io.miaobu.plugin.aliyun.rpc.standin.RpcRequest;
import io.miaobu.server.domain.TestDnsServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The aliyun plugin in a real server, against the OSS stand-in (signatures checked) and the CDN stand-in: projects
 * publish to the bucket incrementally, go live by the pointer, refresh the changed paths on the CDN, roll back without
 * uploading, and leave nothing behind when deleted; their custom domains are put on the CDN once owned and taken off
 * it when removed.
 */
class AliyunIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path temp;

    @Test
    void publishesToOssRefreshesTheCdnRollsBackWithoutUploadingAndCleansUp() throws Exception {
        try (OssStandIn oss = OssStandIn.start("sites");
             AliyunRpcStandIn aliyun = AliyunRpcStandIn.start();
             var repo = new SiteRepository(temp.resolve("repo"));
             var server = new TestServer(temp.resolve("home"), Map.of("deploy.target", "aliyun",
                     "ratelimit.enabled", "false")).start()) {
            String secret = aliyun.settings(Map.of()).secret("access-key-secret").orElseThrow().reveal();
            oss.user(AliyunRpcStandIn.ACCESS_KEY_ID, secret);
            oss.allowAnonymousReads(true);
            aliyun.cdn().refreshCompletesAfter(1);
            var values = new java.util.HashMap<>(aliyun.settings(Map.of()).plainValues());
            values.putAll(Map.of("access-key-secret", secret, "bucket", "sites",
                    "endpoint", oss.endpoint().toString(), "region", OssStandIn.REGION, "key-prefix", "miaobu",
                    "cdn-domains", "*.sites.example.test"));
            server.json("PUT", "/api/v1/extensions/DeployTarget/aliyun/settings", Map.of("values", values), 200);

            // one settings record for all three extensions, and each connection test passes
            JsonNode storage = server.json("POST", "/api/v1/extensions/DeployTarget/aliyun/check", null, 200);
            assertThat(storage.get("passed").asBoolean()).as(storage.toString()).isTrue();
            JsonNode dns = server.json("POST", "/api/v1/extensions/DnsProvider/aliyun/check", null, 200);
            assertThat(dns.get("supported").asBoolean()).isTrue();

            repo.commitMessage("first version");
            JsonNode project = server.json("POST", "/api/v1/projects", Map.of("name", "Shop",
                    "repositoryUrl", repo.directory().toString(), "branch", "main"), 201);
            long projectId = project.get("id").asLong();
            String slug = project.get("slug").asText();
            long first = deploy(server, projectId);

            JsonNode live = server.json("GET", "/api/v1/deployments/" + first, null, 200);
            assertThat(live.get("upload").get("running").asBoolean()).isFalse();
            assertThat(live.get("upload").get("bytesUploaded").asLong()).isPositive();
            assertThat(serve(oss, slug, "/index.html")).contains("first version");
            assertThat(refreshed(aliyun)).as("nothing of a new site is cached on the CDN yet").isEmpty();

            // one file changed: one object uploaded, only that path refreshed
            repo.commitMessage("second version");
            oss.clearRequests();
            long second = deploy(server, projectId);
            assertThat(oss.requests("PUT", key -> key.contains("/objects/"))).hasSize(1);
            assertThat(serve(oss, slug, "/index.html")).contains("second version");
            List<RpcRequest> refreshes = aliyun.requests("RefreshObjectCaches");
            assertThat(refreshes).hasSize(1);
            assertThat(refreshes.get(0).param("ObjectPath").split("\n")).containsExactlyInAnyOrder(
                    "https://" + slug + ".sites.example.test/index.html", "https://" + slug + ".sites.example.test/");
            String log = server.api("GET", "/api/v1/deployments/" + second + "/log", null).body();
            assertThat(log).contains("CDN refresh of 2 changed paths: task").contains("completed.");

            // rollback: the pointer moves back, nothing is uploaded
            oss.clearRequests();
            server.json("POST", "/api/v1/deployments/" + first + "/activate", null, 200);
            assertThat(serve(oss, slug, "/index.html")).contains("first version");
            assertThat(oss.requests("PUT", key -> key.contains("/objects/"))).isEmpty();
            assertThat(oss.requests("PUT", key -> key.endsWith("/live.json"))).hasSize(1);
            assertThat(aliyun.requests("RefreshObjectCaches")).as("the rollback's refresh").hasSize(2);
            assertThat(second).isGreaterThan(first);

            // deleting the project removes the site from the bucket
            assertThat(server.api("DELETE", "/api/v1/projects/" + projectId + "?confirm=" + slug, null)
                    .statusCode()).isEqualTo(204);
            assertThat(oss.objects().keySet()).noneMatch(key -> key.startsWith("miaobu/" + slug + "/"));
        }
    }

    @Test
    void putsAnOwnedCustomDomainOnTheCdnAndTakesItOffWhenRemovedOrWhenTheProjectIsDeleted() throws Exception {
        try (OssStandIn oss = OssStandIn.start("sites");
             AliyunRpcStandIn aliyun = AliyunRpcStandIn.start();
             var dns = new TestDnsServer();
             var repo = new SiteRepository(temp.resolve("repo"));
             var server = new TestServer(temp.resolve("home"), Map.of("deploy.target", "aliyun",
                     "ratelimit.enabled", "false", "dns.resolvers", dns.address())).start()) {
            String secret = aliyun.settings(Map.of()).secret("access-key-secret").orElseThrow().reveal();
            oss.user(AliyunRpcStandIn.ACCESS_KEY_ID, secret);
            var values = new java.util.HashMap<>(aliyun.settings(Map.of()).plainValues());
            values.putAll(Map.of("access-key-secret", secret, "bucket", "sites",
                    "endpoint", oss.endpoint().toString(), "region", OssStandIn.REGION, "key-prefix", "miaobu"));
            server.json("PUT", "/api/v1/extensions/DeployTarget/aliyun/settings", Map.of("values", values), 200);
            repo.commitMessage("on a CDN");
            JsonNode project = server.json("POST", "/api/v1/projects", Map.of("name", "Shop",
                    "repositoryUrl", repo.directory().toString(), "branch", "main"), 201);
            long projectId = project.get("id").asLong();
            String slug = project.get("slug").asText();
            String domains = "/api/v1/projects/" + projectId + "/domains";

            JsonNode www = server.json("POST", domains, Map.of("domain", "www.example.com"), 201);
            assertThat(www.get("cdn").get("provider").asText()).isEqualTo("aliyun");
            assertThat(www.get("cdn").get("name").asText()).isEqualTo("Alibaba Cloud CDN");
            assertThat(www.get("cnameTarget").isNull()).as(www.toString()).isTrue();
            String check = domains + "/" + www.get("id").asLong() + "/check";
            assertThat(server.json("POST", check, null, 200).get("status").asText()).isEqualTo("PENDING_OWNERSHIP");
            assertThat(aliyun.requests("AddCdnDomain")).as("not on the CDN before ownership is proven").isEmpty();

            dns.txt("_miaobu-challenge.www.example.com", www.get("txtValue").asText());
            JsonNode checked = server.json("POST", check, null, 200);
            List<RpcRequest> adds = aliyun.requests("AddCdnDomain");
            assertThat(adds).hasSize(1);
            assertThat(adds.get(0).param("DomainName")).isEqualTo("www.example.com");
            assertThat(aliyun.cdn().domain("www.example.com").orElseThrow().tags())
                    .containsEntry("miaobu-site", slug);
            assertThat(checked.get("status").asText()).isEqualTo("PENDING_DNS");
            assertThat(checked.get("cnameTarget").asText()).isEqualTo("www.example.com.w.kunlunsl.com");
            assertThat(checked.get("cdn").get("status").asText()).isEqualTo("CONFIGURING");

            dns.cname("www.example.com", "www.example.com.w.kunlunsl.com");
            checked = server.json("POST", check, null, 200);
            assertThat(checked.get("status").asText()).as(checked.toString()).isEqualTo("ACTIVE");
            assertThat(checked.get("cdn").get("status").asText()).isEqualTo("ONLINE");
            assertThat(aliyun.requests("AddCdnDomain")).as("bound once").hasSize(1);
            String page = server.send(HttpRequest.newBuilder(server.uri("/projects/" + projectId + "/domains"))
                    .header("Authorization", "Bearer " + server.token()).GET()).body();
            assertThat(page).contains("Alibaba Cloud CDN: online", "Visitors of this domain are served by Alibaba"
                    + " Cloud CDN");

            assertThat(server.api("DELETE", domains + "/" + www.get("id").asLong(), null).statusCode())
                    .isEqualTo(204);
            List<RpcRequest> deletes = aliyun.requests("DeleteCdnDomain");
            assertThat(deletes).extracting(r -> r.param("DomainName")).containsExactly("www.example.com");
            assertThat(aliyun.cdn().domain("www.example.com")).isEmpty();

            // a bound domain goes with its project
            JsonNode shop = server.json("POST", domains, Map.of("domain", "shop.example.com"), 201);
            dns.txt("_miaobu-challenge.shop.example.com", shop.get("txtValue").asText());
            server.json("POST", domains + "/" + shop.get("id").asLong() + "/check", null, 200);
            assertThat(aliyun.cdn().domain("shop.example.com")).isPresent();
            assertThat(server.api("DELETE", "/api/v1/projects/" + projectId + "?confirm=" + slug, null)
                    .statusCode()).isEqualTo(204);
            assertThat(aliyun.requests("DeleteCdnDomain")).extracting(r -> r.param("DomainName"))
                    .containsExactly("www.example.com", "shop.example.com");
            assertThat(aliyun.cdn().domain("shop.example.com")).isEmpty();
        }
    }

    private static long deploy(TestServer server, long projectId) throws Exception {
        long id = server.json("POST", "/api/v1/projects/" + projectId + "/deployments", Map.of(), 201)
                .get("id").asLong();
        JsonNode done = server.awaitFinal(id);
        assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("LIVE");
        return id;
    }

    private static List<String> refreshed(AliyunRpcStandIn aliyun) {
        return aliyun.requests("RefreshObjectCaches").stream()
                .flatMap(r -> java.util.Arrays.stream(r.param("ObjectPath").split("\n"))).toList();
    }

    /** What a visitor gets for {@code path}, following the live pointer the way the edge routine does. */
    private static String serve(OssStandIn oss, String site, String path) throws Exception {
        String base = oss.endpoint().toString().replaceAll("/$", "") + "/sites/";
        JsonNode pointer = JSON.readTree(get(base + "miaobu/" + site + "/live.json"));
        JsonNode manifest = JSON.readTree(get(base + pointer.get("manifest").asText()));
        String hash = manifest.get("files").get(path).get("hash").asText();
        return get(base + "miaobu/" + site + "/objects/" + hash);
    }

    private static String get(String url) throws Exception {
        HttpResponse<byte[]> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).as(url).isEqualTo(200);
        return new String(response.body(), StandardCharsets.UTF_8);
    }
}
