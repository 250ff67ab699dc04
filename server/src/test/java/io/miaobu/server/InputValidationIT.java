package io.miaobu.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input gets a 400 naming the field, on every kind of body; repositories on the server's disk are admins' only. */
class InputValidationIT {

    private static final String PASSWORD = "correct horse battery";

    @TempDir
    Path temp;

    @Test
    void localRepositoriesAreForAdminsAndOtherSchemesAreRefused() throws Exception {
        try (var repo = new SiteRepository(temp.resolve("repo"));
             var server = new TestServer(temp.resolve("home"), Map.of()).start()) {
            repo.commitMessage("local");
            server.json("POST", "/api/v1/admin/users", Map.of("username", "grace", "password", PASSWORD), 201);
            String grace = accessToken(server, "grace");

            for (String url : List.of(repo.directory().toString(), "file://" + repo.directory())) {
                JsonNode refused = server.jsonAs(grace, "POST", "/api/v1/projects", Map.of("name", "Mine",
                        "repositoryUrl", url), 400);
                assertThat(refused.at("/error/field").asText()).isEqualTo("repositoryUrl");
                assertThat(refused.at("/error/message").asText()).contains("Only admins");
            }
            JsonNode ftp = server.jsonAs(grace, "POST", "/api/v1/projects", Map.of("name", "Mine",
                    "repositoryUrl", "ftp://example.com/repo.git"), 400);
            assertThat(ftp.at("/error/message").asText()).contains("'ftp://' is not allowed");

            // an admin may, and the project is then the admin's: grace cannot see it
            long id = server.json("POST", "/api/v1/projects", Map.of("name", "Admins'",
                    "repositoryUrl", repo.directory().toString()), 201).get("id").asLong();
            server.jsonAs(grace, "GET", "/api/v1/projects/" + id, null, 404);
            assertThat(server.jsonAs(grace, "GET", "/api/v1/projects", null, 200).get("items")).isEmpty();
        }
    }

    @Test
    void aServerSettingSwitchesLocalRepositoriesOffForEveryone() throws Exception {
        try (var repo = new SiteRepository(temp.resolve("repo"));
             var server = new TestServer(temp.resolve("home"), Map.of("repositories.local.allowed", "false"))
                     .start()) {
            repo.commitMessage("local");
            JsonNode refused = server.json("POST", "/api/v1/projects", Map.of("name", "Local",
                    "repositoryUrl", repo.directory().toString()), 400);
            assertThat(refused.at("/error/message").asText()).contains("switched off");
        }
    }

    @Test
    void everyBodyIsCheckedFieldByField() throws Exception {
        try (var repo = new SiteRepository(temp.resolve("repo"));
             var server = new TestServer(temp.resolve("home"), Map.of()).start()) {
            repo.commitMessage("checks");
            long id = server.json("POST", "/api/v1/projects", Map.of("name", "Checked",
                    "repositoryUrl", repo.directory().toString()), 201).get("id").asLong();

            assertField(server.json("PATCH", "/api/v1/projects/" + id, Map.of("branch", "a..b"), 400), "branch");
            assertField(server.json("PATCH", "/api/v1/projects/" + id, Map.of("name", "x".repeat(101)), 400),
                    "name");
            assertField(server.json("PATCH", "/api/v1/projects/" + id, Map.of("outputDirectory", "../etc"), 400),
                    "outputDirectory");
            assertField(server.json("PUT", "/api/v1/projects/" + id + "/variables/1BAD", Map.of("value", "v"), 400),
                    "name");
            assertField(server.json("PUT", "/api/v1/projects/" + id + "/variables/PATH", Map.of("value", "v"), 400),
                    "name");
            assertField(server.json("PUT", "/api/v1/projects/" + id + "/variables/OK?environment=staging",
                    Map.of("value", "v"), 400), "environment");
            assertField(server.json("PUT", "/api/v1/projects/" + id + "/variables/BIG",
                    Map.of("value", "x".repeat(8001)), 400), "value");
            assertField(server.json("PUT", "/api/v1/projects/" + id + "/members", Map.of("username", "nobody",
                    "role", "viewer"), 400), "username");
            assertField(server.json("PUT", "/api/v1/projects/" + id + "/members", Map.of("username", "admin",
                    "role", "emperor"), 400), "role");
            assertField(server.json("POST", "/api/v1/admin/users", Map.of("username", "<script>", "password",
                    PASSWORD), 400), "username");
            assertField(server.json("POST", "/api/v1/admin/users", Map.of("username", "short", "password", "x"),
                    400), "password");
            assertField(server.json("POST", "/api/v1/admin/users", Map.of("username", "ok", "password", PASSWORD,
                    "role", "root"), 400), "role");
            assertField(server.json("PUT", "/api/v1/extensions/SourceProvider/git/settings",
                    Map.of("values", Map.of("no-such-setting", "x")), 400), "no-such-setting");
            assertField(server.json("GET", "/api/v1/admin/audit?action=made.up", null, 400), "action");
            server.json("PUT", "/api/v1/extensions/SourceProvider/nope/settings", Map.of("values", Map.of()), 404);

            // malformed JSON and unknown fields: 400 without internals
            var malformed = server.send(HttpRequest.newBuilder(server.uri("/api/v1/projects/" + id + "/members"))
                    .header("Authorization", "Bearer " + server.token()).header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"username\": ")));
            assertThat(malformed.statusCode()).isEqualTo(400);
            assertThat(malformed.body()).doesNotContain("jackson").doesNotContain("at [Source");
            assertField(server.json("PUT", "/api/v1/projects/" + id + "/members", Map.of("username", "admin",
                    "role", "owner", "colour", "red"), 400), "colour");
        }
    }

    private static void assertField(JsonNode error, String field) {
        assertThat(error.at("/error/field").asText()).as(error.toString()).isEqualTo(field);
        assertThat(error.at("/error/message").asText()).isNotBlank();
    }

    private static String accessToken(TestServer server, String username) throws Exception {
        return TestServer.jsonMapper().readTree(server.signIn(username, PASSWORD).body()).get("accessToken").asText();
    }
}
