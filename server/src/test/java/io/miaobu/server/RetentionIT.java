package io.miaobu.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real server keeping two deployments per project purges older ones after each build (files, log, status
 * {@code PURGED}), keeps the live and pinned ones servable, compresses build logs that stay readable everywhere, and
 * reports the disk usage.
 */
class RetentionIT {

    private static final Duration RETENTION_RUN = Duration.ofSeconds(30);

    @TempDir
    Path temp;

    @Test
    void purgesAllButTheNewestLiveAndPinnedDeploymentsAndKeepsTheirLogsReadable() throws Exception {
        try (var repo = new SiteRepository(temp.resolve("repo"));
             var server = new TestServer(temp.resolve("home"), Map.of("retention.deployments", "2")).start()) {
            repo.commitMessage("version 1");
            long projectId = server.json("POST", "/api/v1/projects", Map.of("name", "Kept",
                    "repositoryUrl", repo.directory().toString()), 201).get("id").asLong();
            long first = deployLive(server, projectId);
            JsonNode pinned = server.json("POST", "/api/v1/deployments/" + first + "/pin", null, 200);
            assertThat(pinned.get("pinned").asBoolean()).isTrue();

            List<Long> ids = new ArrayList<>(List.of(first));
            for (int version = 2; version <= 4; version++) {
                repo.commitMessage("version " + version);
                ids.add(deployLive(server, projectId));
            }
            long second = ids.get(1);
            long third = ids.get(2);
            long fourth = ids.get(3);

            // retention runs for the project after each build: the fourth pushes the second out of the newest two
            JsonNode purged = server.awaitDeployment(second, d -> d.get("status").asText().equals("PURGED"),
                    RETENTION_RUN);
            assertThat(purged.get("live").asBoolean()).isFalse();
            assertThat(statuses(purged)).endsWith("LIVE", "PURGED");
            for (long kept : List.of(first, third, fourth)) {
                assertThat(status(server, kept)).as("deployment %s", kept).isEqualTo("LIVE");
            }

            Path deployments = server.home().resolve("sites/kept/deployments");
            assertThat(deployments.resolve(Long.toString(second))).doesNotExist();
            for (long kept : List.of(first, third, fourth)) {
                assertThat(deployments.resolve(kept + "/index.html")).exists();
            }

            Path logs = server.home().resolve("logs/deployments");
            assertThat(logs.resolve(second + ".log")).doesNotExist();
            assertThat(logs.resolve(second + ".log.gz")).doesNotExist();
            assertThat(log(server, second)).isEmpty();
            for (long kept : List.of(first, third, fourth)) {
                assertThat(logs.resolve(kept + ".log.gz")).as("log of %s", kept).exists();
                assertThat(logs.resolve(kept + ".log")).doesNotExist();
                assertThat(log(server, kept)).contains("node build.js", "Deployment " + kept + " is live.");
            }
            String events = server.send(HttpRequest.newBuilder(server.uri("/api/v1/deployments/" + third + "/events"))
                    .header("Authorization", "Bearer " + server.token())
                    .header("Accept", "text/event-stream").GET()).body();
            assertThat(events).contains("event: line", "node build.js", "event: end");
            String page = page(server, "/deployments/" + third);
            assertThat(page).contains("node build.js");
            assertThat(page(server, "/deployments/" + second)).contains("badge--purged");
            assertThat(page(server, "/deployments/" + first)).contains("tag--pinned",
                    "action=\"/deployments/" + first + "/unpin\"");

            HttpResponse<String> activatePurged = server.api("POST", "/api/v1/deployments/" + second + "/activate",
                    null);
            assertThat(activatePurged.statusCode()).isEqualTo(409);
            assertThat(activatePurged.body()).contains("purged by the retention policy");
            assertThat(server.api("POST", "/api/v1/deployments/" + second + "/pin", null).statusCode())
                    .isEqualTo(409);

            assertThat(server.site("kept", "/").body()).contains("<h1>version 4</h1>");
            assertThat(server.json("POST", "/api/v1/deployments/" + first + "/activate", null, 200)
                    .get("live").asBoolean()).isTrue();
            assertThat(server.site("kept", "/").body()).contains("<h1>version 1</h1>");
            server.json("POST", "/api/v1/deployments/" + third + "/activate", null, 200);
            assertThat(server.site("kept", "/").body()).contains("<h1>version 3</h1>");
            server.json("POST", "/api/v1/deployments/" + fourth + "/activate", null, 200);
            assertThat(server.site("kept", "/").body()).contains("<h1>version 4</h1>");

            // unpinned, the first is an old deployment like any other: the next build's retention run purges it
            assertThat(server.json("POST", "/api/v1/deployments/" + first + "/unpin", null, 200)
                    .get("pinned").asBoolean()).isFalse();
            repo.commitMessage("version 5");
            long fifth = deployLive(server, projectId);
            server.awaitDeployment(first, d -> d.get("status").asText().equals("PURGED"), RETENTION_RUN);
            server.awaitDeployment(third, d -> d.get("status").asText().equals("PURGED"), RETENTION_RUN);
            assertThat(deployments.resolve(Long.toString(first))).doesNotExist();
            assertThat(status(server, fourth)).isEqualTo("LIVE");
            assertThat(server.site("kept", "/").body()).contains("<h1>version 5</h1>");
            assertThat(log(server, fifth)).contains("node build.js");

            JsonNode disk = server.json("GET", "/api/v1/admin/disk", null, 200);
            assertThat(disk.get("sites").get("bytes").asLong()).isPositive();
            assertThat(disk.get("sites").get("files").asLong()).as("two files in each of two deployments, stored once")
                    .isGreaterThanOrEqualTo(6);
            assertThat(disk.get("logs").get("files").asLong()).isGreaterThanOrEqualTo(2);
            assertThat(disk.get("database").get("bytes").asLong()).isPositive();
            assertThat(disk.get("cache").get("parts").findValuesAsText("name")).contains("build-home");
            assertThat(disk.get("workspaces").get("files").asLong()).isZero();
            long free = disk.get("volume").get("freeBytes").asLong();
            assertThat(free).isPositive().isLessThanOrEqualTo(disk.get("volume").get("totalBytes").asLong());
            long areas = 0;
            for (String area : List.of("workspaces", "cache", "logs", "sites", "database")) {
                areas += disk.get(area).get("bytes").asLong();
            }
            assertThat(disk.get("totalBytes").asLong()).isEqualTo(areas);
            assertThat(page(server, "/admin/disk")).contains("build-home", server.home().resolve("sites").toString());
        }
    }

    private static long deployLive(TestServer server, long projectId) throws Exception {
        long id = server.json("POST", "/api/v1/projects/" + projectId + "/deployments", null, 201).get("id").asLong();
        JsonNode finished = server.awaitFinal(id);
        assertThat(finished.get("status").asText()).as("log: %s", log(server, id)).isEqualTo("LIVE");
        return id;
    }

    private static String status(TestServer server, long id) throws Exception {
        return server.json("GET", "/api/v1/deployments/" + id, null, 200).get("status").asText();
    }

    private static String log(TestServer server, long id) throws Exception {
        HttpResponse<String> response = server.api("GET", "/api/v1/deployments/" + id + "/log", null);
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    private static String page(TestServer server, String path) throws Exception {
        HttpResponse<String> response = server.send(HttpRequest.newBuilder(server.uri(path))
                .header("Authorization", "Bearer " + server.token()).GET());
        assertThat(response.statusCode()).as("%s: %s", path, response.body()).isEqualTo(200);
        return response.body();
    }

    private static List<String> statuses(JsonNode deployment) {
        var result = new ArrayList<String>();
        deployment.get("statusChanges").forEach(change -> result.add(change.get("status").asText()));
        return result;
    }
}
