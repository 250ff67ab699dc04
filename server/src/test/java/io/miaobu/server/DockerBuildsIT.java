package io.miaobu.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Builds in containers through the docker plugin, on the real engine this machine runs ({@code .ci/run} starts
 * dockerd and builds the image {@code miaobu-test/node:20} from the host's node, as no registry is reachable).
 */
class DockerBuildsIT {

    private static final String IMAGE = "miaobu-test/node:20";

    @TempDir
    Path temp;

    @Test
    void aBuildRunsInAContainerAsNonRootAndGoesLive() throws Exception {
        try (var repo = new SiteRepository(temp.resolve("repo"));
             var server = new TestServer(temp.resolve("home"), Map.of("builds.runner", "docker")).start()) {
            repo.writeBuildScript("""
                    const fs = require('fs');
                    console.log('uid ' + process.getuid() + ' in ' + process.cwd());
                    fs.mkdirSync('dist', { recursive: true });
                    fs.writeFileSync('dist/index.html', '<h1>from a container</h1>');
                    """);
            repo.commit("containerised");
            configureDocker(server, "unix:///var/run/docker.sock");
            long project = BuildSystemIT.createProject(server, repo, "Boxed");

            JsonNode done = server.awaitFinal(BuildSystemIT.deploy(server, project));
            String log = server.api("GET", "/api/v1/deployments/" + done.get("id").asLong() + "/log", null).body();
            assertThat(done.get("status").asText()).as(log).isEqualTo("LIVE");
            assertThat(log).contains("Docker").containsPattern("uid [1-9][0-9]* in /workspace");
            assertThat(server.site("boxed", "/").body()).contains("from a container");
        }
    }

    @Test
    void anUnreachableEngineFailsTheBuildClearlyOrFallsBackToTheHostWhenAllowed() throws Exception {
        try (var repo = new SiteRepository(temp.resolve("repo"))) {
            repo.commitMessage("either way");
            try (var server = new TestServer(temp.resolve("strict"), Map.of("builds.runner", "docker")).start()) {
                configureDocker(server, "unix://" + temp.resolve("no-such.sock"));
                long project = BuildSystemIT.createProject(server, repo, "Strict");
                JsonNode failed = server.awaitFinal(BuildSystemIT.deploy(server, project));
                assertThat(failed.get("status").asText()).isEqualTo("FAILED");
                assertThat(failed.get("error").asText()).contains("is not reachable");
            }
            try (var server = new TestServer(temp.resolve("lenient"), Map.of("builds.runner", "docker",
                    "builds.runner.fallback", "true")).start()) {
                configureDocker(server, "unix://" + temp.resolve("no-such.sock"));
                long project = BuildSystemIT.createProject(server, repo, "Lenient");
                JsonNode done = server.awaitFinal(BuildSystemIT.deploy(server, project));
                assertThat(done.get("status").asText()).isEqualTo("LIVE");
                assertThat(server.api("GET", "/api/v1/deployments/" + done.get("id").asLong() + "/log", null)
                        .body()).contains("Running on the host instead");
            }
        }
    }

    private static void configureDocker(TestServer server, String host) throws Exception {
        server.json("PUT", "/api/v1/extensions/BuildRunner/docker/settings", Map.of("values", Map.of(
                "docker-host", host, "image", IMAGE, "network", "none", "memory-mb", "512", "cpus", "1")), 200);
    }
}
