package io.miaobu.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Branch previews end to end on a real server: the git plugin over a repository in a temp directory, local storage
 * and the built-in site server, which serves a preview at {@code <branch>--<slug>.localhost} beside production.
 */
class PreviewsIT {

    private static final String PASSWORD = "correct horse battery";

    @TempDir
    Path temp;

    @Test
    void aBranchPreviewIsServedBesideProductionReplacedByTheNextPushAndGoneWhenDeleted() throws Exception {
        try (var repo = new SiteRepository(temp.resolve("repo"));
             var server = new TestServer(temp.resolve("home"), Map.of("ratelimit.enabled", "false")).start()) {
            repo.commitMessage("production one");
            long project = BuildSystemIT.createProject(server, repo, "Shop");
            assertThat(server.awaitFinal(BuildSystemIT.deploy(server, project)).get("status").asText())
                    .isEqualTo("LIVE");
            long productionLive = server.json("GET", "/api/v1/projects/" + project, null, 200)
                    .get("liveDeploymentId").asLong();

            repo.checkout("feature-x");
            repo.commitMessage("preview one");
            repo.checkout("main");
            JsonNode created = server.json("POST", "/api/v1/projects/" + project + "/previews",
                    Map.of("branch", "feature-x"), 201);
            assertThat(created.get("label").asText()).isEqualTo("feature-x");
            assertThat(created.get("kind").asText()).isEqualTo("branch");
            assertThat(created.get("url").asText()).isEqualTo("http://feature-x--shop.localhost:" + server.port()
                    + "/");
            long previewId = created.get("id").asLong();
            JsonNode first = server.awaitFinal(created.get("latestDeployment").get("id").asLong());
            assertThat(first.get("status").asText()).as(first.toString()).isEqualTo("LIVE");
            assertThat(first.get("environment").asText()).isEqualTo("preview");
            assertThat(first.get("previewId").asLong()).isEqualTo(previewId);
            assertThat(server.site("feature-x--shop", "/").body()).contains("preview one");
            assertThat(server.site("shop", "/").body()).contains("production one");
            assertThat(server.json("GET", "/api/v1/projects/" + project, null, 200).get("liveDeploymentId").asLong())
                    .isEqualTo(productionLive);

            // the same tip again is refused; a second push to the branch replaces the preview
            var again = server.api("POST", "/api/v1/projects/" + project + "/previews", Map.of("branch", "feature-x"));
            assertThat(again.statusCode()).as(again.body()).isEqualTo(409);
            repo.checkout("feature-x");
            repo.commitMessage("preview two");
            repo.checkout("main");
            JsonNode second = server.json("POST", "/api/v1/projects/" + project + "/previews",
                    Map.of("branch", "feature-x"), 201);
            assertThat(second.get("id").asLong()).isEqualTo(previewId);
            long secondDeployment = second.get("latestDeployment").get("id").asLong();
            assertThat(server.awaitFinal(secondDeployment).get("status").asText()).isEqualTo("LIVE");
            assertThat(server.site("feature-x--shop", "/").body()).contains("preview two");
            assertThat(server.site("shop", "/").body()).contains("production one");

            JsonNode listed = server.json("GET", "/api/v1/projects/" + project + "/previews", null, 200)
                    .get("items");
            assertThat(listed).hasSize(1);
            assertThat(listed.get(0).get("liveDeploymentId").asLong()).isEqualTo(secondDeployment);
            String page = server.send(java.net.http.HttpRequest.newBuilder(server.uri("/projects/" + project))
                    .header("Authorization", "Bearer " + server.token()).GET()).body();
            assertThat(page).contains("previews-heading", "http://feature-x--shop.localhost:" + server.port() + "/");
            // a preview deployment never becomes production's live one by a rollback
            assertThat(server.api("POST", "/api/v1/deployments/" + secondDeployment + "/activate", null)
                    .statusCode()).isEqualTo(409);

            assertThat(server.api("DELETE", "/api/v1/projects/" + project + "/previews/" + previewId, null)
                    .statusCode()).isEqualTo(204);
            assertThat(server.site("feature-x--shop", "/").statusCode()).isEqualTo(404);
            assertThat(server.site("shop", "/").body()).contains("production one");
            assertThat(server.json("GET", "/api/v1/projects/" + project + "/previews", null, 200).get("items"))
                    .isEmpty();
            assertThat(server.api("DELETE", "/api/v1/projects/" + project + "/previews/" + previewId, null)
                    .statusCode()).isEqualTo(404);
        }
    }

    @Test
    void previewSettingsRoundTripAndOnlyMembersWithTheRightRoleGetIn() throws Exception {
        try (var repo = new SiteRepository(temp.resolve("repo"));
             var server = new TestServer(temp.resolve("home"), Map.of("ratelimit.enabled", "false")).start()) {
            repo.commitMessage("one");
            long project = BuildSystemIT.createProject(server, repo, "Shop");
            String settings = "/api/v1/projects/" + project + "/preview-settings";
            assertThat(server.json("GET", settings, null, 200).toString())
                    .isEqualTo("{\"pullRequestPreviews\":true,\"branchPreviews\":false,\"forkPreviews\":false}");
            assertThat(server.json("PUT", settings, Map.of("branchPreviews", true, "forkPreviews", true), 200)
                    .toString())
                    .isEqualTo("{\"pullRequestPreviews\":true,\"branchPreviews\":true,\"forkPreviews\":true}");
            assertThat(server.json("PUT", settings, Map.of("pullRequestPreviews", false), 200).toString())
                    .isEqualTo("{\"pullRequestPreviews\":false,\"branchPreviews\":true,\"forkPreviews\":true}");
            String page = server.send(java.net.http.HttpRequest.newBuilder(server.uri("/projects/" + project
                    + "/settings")).header("Authorization", "Bearer " + server.token()).GET()).body();
            assertThat(page).containsPattern("name=\"branchPreviews\" type=\"checkbox\" value=\"true\" checked")
                    .doesNotContainPattern("name=\"pullRequestPreviews\" type=\"checkbox\" value=\"true\" checked");

            for (String name : List.of("viewer", "stranger")) {
                server.json("POST", "/api/v1/admin/users", Map.of("username", name, "password", PASSWORD,
                        "role", "user"), 201);
            }
            server.json("PUT", "/api/v1/projects/" + project + "/members", Map.of("username", "viewer",
                    "role", "viewer"), 200);
            String viewer = token(server, "viewer");
            String stranger = token(server, "stranger");
            String previews = "/api/v1/projects/" + project + "/previews";
            assertThat(server.apiAs(viewer, "GET", previews, null).statusCode()).isEqualTo(200);
            assertThat(server.apiAs(viewer, "POST", previews, Map.of("branch", "main")).statusCode()).isEqualTo(403);
            assertThat(server.apiAs(viewer, "DELETE", previews + "/1", null).statusCode()).isEqualTo(403);
            assertThat(server.apiAs(viewer, "GET", settings, null).statusCode()).isEqualTo(403);
            assertThat(server.apiAs(viewer, "PUT", settings, Map.of("forkPreviews", false)).statusCode())
                    .isEqualTo(403);
            assertThat(server.apiAs(stranger, "GET", previews, null).statusCode()).isEqualTo(404);
            assertThat(server.apiAs(stranger, "POST", previews, Map.of("branch", "main")).statusCode())
                    .isEqualTo(404);
            assertThat(server.json("GET", settings, null, 200).get("forkPreviews").asBoolean()).isTrue();
            assertThat(server.json("GET", previews, null, 200).get("items")).isEmpty();
        }
    }

    private static String token(TestServer server, String username) throws Exception {
        var login = server.signIn(username, PASSWORD);
        assertThat(login.statusCode()).isEqualTo(200);
        String access = TestServer.jsonMapper().readTree(login.body()).get("accessToken").asText();
        return server.jsonAs(access, "POST", "/api/v1/account/tokens", Map.of("name", "previews",
                "scopes", List.of("read", "deploy", "admin")), 201).get("secret").asText();
    }
}
