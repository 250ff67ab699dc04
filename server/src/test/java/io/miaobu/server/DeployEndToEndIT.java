package io.miaobu.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real server with the bundled plugins deploys a real git repository with real node, serves it, rolls back, keeps
 * the live site through failures, kills hanging builds, and keeps everything across a restart.
 */
class DeployEndToEndIT {

    @TempDir
    Path temp;

    @Test
    void deploysRedeploysRollsBackAndSurvivesARestart() throws Exception {
        try (var repo = new SiteRepository(temp.resolve("repo"));
             var server = new TestServer(temp.resolve("home"), Map.of()).start()) {
            String first = repo.commitMessage("first version");

            JsonNode project = server.json("POST", "/api/v1/projects", Map.of(
                    "name", "My Site", "repositoryUrl", repo.directory().toString(), "branch", "main"), 201);
            long projectId = project.get("id").asLong();
            assertThat(project.get("slug").asText()).isEqualTo("my-site");

            long firstDeployment = deploy(server, projectId);
            JsonNode live = server.awaitFinal(firstDeployment);
            assertThat(live.get("status").asText()).as("log: %s", log(server, firstDeployment)).isEqualTo("LIVE");
            assertThat(live.get("commitSha").asText()).isEqualTo(first);
            assertThat(live.get("live").asBoolean()).isTrue();
            assertThat(statuses(live)).containsExactly("QUEUED", "CLONING", "INSTALLING", "BUILDING", "UPLOADING",
                    "LIVE");
            assertThat(server.site("my-site", "/").body()).contains("<h1>first version</h1>");
            assertThat(server.site("my-site", "/assets/app.css").headers().firstValue("Content-Type"))
                    .hasValueSatisfying(type -> assertThat(type).startsWith("text/css"));
            assertThat(log(server, firstDeployment)).contains("node build.js");

            String second = repo.commitMessage("second version");
            long secondDeployment = deploy(server, projectId);
            assertThat(server.awaitFinal(secondDeployment).get("commitSha").asText()).isEqualTo(second);
            assertThat(server.site("my-site", "/").body()).contains("<h1>second version</h1>");

            JsonNode rolledBack = server.json("POST", "/api/v1/deployments/" + firstDeployment + "/activate", null,
                    200);
            assertThat(rolledBack.get("live").asBoolean()).isTrue();
            assertThat(server.site("my-site", "/").body()).contains("<h1>first version</h1>");
            assertThat(server.json("GET", "/api/v1/projects/" + projectId, null, 200)
                    .get("liveDeploymentId").asLong()).isEqualTo(firstDeployment);

            repo.writeBuildScript("console.error('the build broke'); process.exit(3);\n");
            repo.commit("Break the build");
            long broken = deploy(server, projectId);
            JsonNode failed = server.awaitFinal(broken);
            assertThat(failed.get("status").asText()).isEqualTo("FAILED");
            assertThat(failed.get("error").asText()).contains("exit code 3");
            assertThat(log(server, broken)).contains("the build broke");
            assertThat(server.site("my-site", "/").body()).contains("<h1>first version</h1>");

            server.stop();
            server.start();

            assertThat(server.json("GET", "/api/v1/projects", null, 200).get("items")).hasSize(1);
            assertThat(server.json("GET", "/api/v1/deployments/" + secondDeployment, null, 200)
                    .get("status").asText()).isEqualTo("LIVE");
            assertThat(server.json("GET", "/api/v1/projects/" + projectId + "/deployments", null, 200)
                    .get("items")).hasSize(3);
            assertThat(server.site("my-site", "/").body()).contains("<h1>first version</h1>");

            assertThat(server.api("DELETE", "/api/v1/projects/" + projectId + "?confirm=wrong", null).statusCode())
                    .isEqualTo(400);
            assertThat(server.api("DELETE", "/api/v1/projects/" + projectId + "?confirm=my-site", null).statusCode())
                    .isEqualTo(204);
            assertThat(server.site("my-site", "/").statusCode()).isEqualTo(404);
            assertThat(server.api("GET", "/api/v1/projects/" + projectId, null).statusCode()).isEqualTo(404);
            assertThat(server.home().resolve("sites/my-site")).doesNotExist();
            assertThat(server.home().resolve("logs/deployments/" + firstDeployment + ".log")).doesNotExist();
            assertThat(server.home().resolve("logs/deployments/" + firstDeployment + ".log.gz")).doesNotExist();
        }
    }

    @Test
    void killsABuildThatHangsWhenItsTimeoutRunsOutTogetherWithItsGrandchildren() throws Exception {
        try (var repo = new SiteRepository(temp.resolve("repo"));
             var server = new TestServer(temp.resolve("home"), Map.of("builds.timeout.build", "4")).start()) {
            repo.commitMessage("fine");
            long projectId = createProject(server, repo, "Hangs");
            long good = deploy(server, projectId);
            assertThat(server.awaitFinal(good).get("status").asText()).isEqualTo("LIVE");

            repo.writeBuildScript(hangingBuild(4711));
            repo.commit("Hang");
            long hanging = deploy(server, projectId);
            JsonNode failed = server.awaitFinal(hanging);

            assertThat(failed.get("status").asText()).isEqualTo("FAILED");
            assertThat(failed.get("error").asText()).contains("timed out");
            awaitNoProcess("sleep 4711");
            assertThat(server.site("hangs", "/").body()).contains("<h1>fine</h1>");
        }
    }

    @Test
    void cancelStopsARunningBuildAndItsProcessTree() throws Exception {
        try (var repo = new SiteRepository(temp.resolve("repo"));
             var server = new TestServer(temp.resolve("home"), Map.of()).start()) {
            repo.commitMessage("never live");
            repo.writeBuildScript(hangingBuild(4712));
            repo.commit("Hang");
            long projectId = createProject(server, repo, "Cancel Me");
            long hanging = deploy(server, projectId);
            server.awaitDeployment(hanging, d -> d.get("status").asText().equals("BUILDING")
                    && log(server, hanging).contains("hanging now"), Duration.ofSeconds(60));

            server.json("POST", "/api/v1/deployments/" + hanging + "/cancel", null, 200);
            JsonNode cancelled = server.awaitFinal(hanging);

            assertThat(cancelled.get("status").asText()).isEqualTo("CANCELLED");
            assertThat(cancelled.get("error").asText()).contains("Cancelled by admin");
            awaitNoProcess("sleep 4712");
            assertThat(server.site("cancel-me", "/").statusCode()).isEqualTo(404);
            assertThat(server.api("POST", "/api/v1/deployments/" + hanging + "/cancel", null).statusCode())
                    .isEqualTo(409);
        }
    }

    @Test
    void queuedDeploymentsSurviveARestartWhileARunningOneIsStoppedWithItsProcesses() throws Exception {
        try (var repo = new SiteRepository(temp.resolve("repo"));
             var server = new TestServer(temp.resolve("home"), Map.of()).start()) {
            String good = repo.commitMessage("survived");
            repo.writeBuildScript(hangingBuild(4713));
            repo.commit("Hang");
            long projectId = createProject(server, repo, "Durable");
            long hanging = deploy(server, projectId);
            server.awaitDeployment(hanging, d -> log(server, hanging).contains("hanging now"), Duration.ofSeconds(60));
            long queued = server.json("POST", "/api/v1/projects/" + projectId + "/deployments",
                    Map.of("commitSha", good), 201).get("id").asLong();
            assertThat(server.json("GET", "/api/v1/deployments/" + queued, null, 200).get("status").asText())
                    .as("one build per project at a time").isEqualTo("QUEUED");

            server.stop();
            awaitNoProcess("sleep 4713");
            server.start();

            JsonNode stopped = server.awaitFinal(hanging);
            assertThat(stopped.get("status").asText()).isEqualTo("CANCELLED");
            assertThat(stopped.get("error").asText()).contains("shutting down");
            JsonNode resumed = server.awaitFinal(queued);
            assertThat(resumed.get("status").asText()).isEqualTo("LIVE");
            assertThat(resumed.get("commitSha").asText()).isEqualTo(good);
            assertThat(server.site("durable", "/").body()).contains("<h1>survived</h1>");
        }
    }

    private static String hangingBuild(int marker) {
        return """
                const { spawn } = require('child_process');
                console.log('hanging now');
                spawn('sh', ['-c', 'sleep %d & sleep %d; wait'], { stdio: 'inherit' });
                setInterval(() => {}, 1000);
                """.formatted(marker, marker);
    }

    private static long createProject(TestServer server, SiteRepository repo, String name) throws Exception {
        return server.json("POST", "/api/v1/projects", Map.of("name", name,
                "repositoryUrl", repo.directory().toString()), 201).get("id").asLong();
    }

    private static long deploy(TestServer server, long projectId) throws Exception {
        JsonNode deployment = server.json("POST", "/api/v1/projects/" + projectId + "/deployments", null, 201);
        assertThat(deployment.get("status").asText()).isEqualTo("QUEUED");
        return deployment.get("id").asLong();
    }

    private static String log(TestServer server, long deploymentId) {
        try {
            return server.api("GET", "/api/v1/deployments/" + deploymentId + "/log", null).body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static java.util.List<String> statuses(JsonNode deployment) {
        var result = new java.util.ArrayList<String>();
        deployment.get("statusChanges").forEach(change -> result.add(change.get("status").asText()));
        return result;
    }

    static void awaitNoProcess(String commandLine) {
        Instant deadline = Instant.now().plusSeconds(10);
        while (Instant.now().isBefore(deadline)) {
            if (ProcessHandle.allProcesses().noneMatch(p -> p.info().commandLine()
                    .map(c -> c.contains(commandLine)).orElse(false))) {
                return;
            }
            LockSupport.parkNanos(100_000_000);
        }
        throw new AssertionError("a process '" + commandLine + "' is still running");
    }
}
