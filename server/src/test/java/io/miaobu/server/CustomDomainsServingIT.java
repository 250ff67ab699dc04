package io.miaobu.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.miaobu.server.domain.TestDnsServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real server serving a project's live deployment on its custom domains once DNS (a local server the test controls)
 * says they are the project's and lead here; redirects to the primary; ACME HTTP-01 answers on every host.
 */
class CustomDomainsServingIT {

    private static final String SERVER_ADDRESS = "192.0.2.10";

    @TempDir
    Path temp;

    @Test
    void servesTheLiveDeploymentOnActiveDomainsRedirectsToThePrimaryAndAnswersAcmeChallenges() throws Exception {
        try (var dns = new TestDnsServer();
             var repo = new SiteRepository(temp.resolve("repo"));
             var server = new TestServer(temp.resolve("home"), Map.of("dns.resolvers", dns.address(),
                     "domains.addresses", SERVER_ADDRESS)).start()) {
            repo.commitMessage("on my own domain");
            long projectId = server.json("POST", "/api/v1/projects", Map.of("name", "My Site",
                    "repositoryUrl", repo.directory().toString(), "branch", "main"), 201).get("id").asLong();
            long other = server.json("POST", "/api/v1/projects", Map.of("name", "Other",
                    "repositoryUrl", repo.directory().toString(), "branch", "main"), 201).get("id").asLong();
            long deployment = server.json("POST", "/api/v1/projects/" + projectId + "/deployments", Map.of(), 201)
                    .get("id").asLong();
            assertThat(server.awaitFinal(deployment).get("status").asText()).isEqualTo("LIVE");
            String domains = "/api/v1/projects/" + projectId + "/domains";

            JsonNode www = server.json("POST", domains, Map.of("domain", "www.example.com"), 201);
            assertThat(www.get("status").asText()).isEqualTo("PENDING_OWNERSHIP");
            assertThat(www.get("txtName").asText()).isEqualTo("_miaobu-challenge.www.example.com");
            assertThat(www.get("cnameTarget").asText()).isEqualTo("my-site.localhost");
            assertThat(get(server, "www.example.com", "/").body()).doesNotContain("on my own domain");

            var taken = server.api("POST", "/api/v1/projects/" + other + "/domains", Map.of("domain",
                    "WWW.example.com"));
            assertThat(taken.statusCode()).isEqualTo(409);
            assertThat(taken.body()).contains("www.example.com belongs to another project").doesNotContain("my-site");

            dns.txt("_miaobu-challenge.www.example.com", www.get("txtValue").asText());
            JsonNode checked = server.json("POST", domains + "/" + www.get("id").asLong() + "/check", null, 200);
            assertThat(checked.get("status").asText()).isEqualTo("PENDING_DNS");
            dns.cname("www.example.com", "my-site.localhost");
            checked = server.json("POST", domains + "/" + www.get("id").asLong() + "/check", null, 200);
            assertThat(checked.get("status").asText()).isEqualTo("ACTIVE");

            var page = get(server, "www.example.com", "/");
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("<h1>on my own domain</h1>");
            assertThat(get(server, "WWW.Example.com.", "/assets/app.css").statusCode()).isEqualTo(200);

            // the apex by A record, made primary; www redirects to it, path and query kept
            JsonNode apex = server.json("POST", domains, Map.of("domain", "example.com"), 201);
            dns.txt("_miaobu-challenge.example.com", apex.get("txtValue").asText()).a("example.com", SERVER_ADDRESS);
            assertThat(server.json("POST", domains + "/" + apex.get("id").asLong() + "/check", null, 200)
                    .get("status").asText()).isEqualTo("ACTIVE");
            server.json("PATCH", domains + "/" + apex.get("id").asLong(), Map.of("primary", true), 200);
            server.json("PATCH", domains + "/" + www.get("id").asLong(), Map.of("redirectToPrimary", true), 200);
            var redirect = get(server, "www.example.com", "/assets/app.css?v=2");
            assertThat(redirect.statusCode()).isEqualTo(301);
            assertThat(redirect.headers().firstValue("Location"))
                    .hasValue("http://example.com:" + server.port() + "/assets/app.css?v=2");
            assertThat(get(server, "example.com", "/").body()).contains("<h1>on my own domain</h1>");

            // HTTP-01: answered on a custom domain (even one that redirects), a site host and any other host
            server.server().http01Solver().publish("www.example.com", "tok-EN_1", "tok-EN_1.thumbprint");
            for (String host : new String[] {"www.example.com", "example.com", "my-site.localhost", "127.0.0.1"}) {
                var answer = get(server, host, "/.well-known/acme-challenge/tok-EN_1");
                assertThat(answer.statusCode()).as(host).isEqualTo(200);
                assertThat(answer.body()).as(host).isEqualTo("tok-EN_1.thumbprint");
                assertThat(answer.headers().firstValue("Content-Type")).as(host)
                        .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
            }
            assertThat(get(server, "www.example.com", "/.well-known/acme-challenge/unknown").statusCode())
                    .isEqualTo(404);
            server.server().http01Solver().remove("www.example.com", "tok-EN_1");
            assertThat(get(server, "example.com", "/.well-known/acme-challenge/tok-EN_1").statusCode())
                    .isEqualTo(404);

            // removing a domain stops serving it at once
            server.api("DELETE", domains + "/" + apex.get("id").asLong(), null);
            assertThat(get(server, "example.com", "/").body()).doesNotContain("on my own domain");
            assertThat(get(server, "www.example.com", "/").statusCode()).as("no primary left: served").isEqualTo(200);
        }
    }

    private static HttpResponse<String> get(TestServer server, String host, String path) throws Exception {
        return server.send(HttpRequest.newBuilder(server.uri(path)).header("Host", host + ":" + server.port()).GET());
    }
}
