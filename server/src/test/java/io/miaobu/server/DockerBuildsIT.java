package io.miaobu.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
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
    void aProjectWithABuildDockerfileBuildsInItsOwnImageAndFindsItUpToDateNextTime() throws Exception {
        // a new image for every run of the test; the runner itself removes the project's older ones
        String nonce = "image-" + UUID.randomUUID().toString().substring(0, 8);
        try (var repo = new SiteRepository(temp.resolve("repo"));
             var server = new TestServer(temp.resolve("home"), Map.of("builds.runner", "docker")).start()) {
            repo.write(".miaobu/build.Dockerfile", "ARG MIAOBU_BASE_IMAGE\nFROM ${MIAOBU_BASE_IMAGE}\n"
                    + "COPY title.txt /etc/site-title\nRUN echo " + nonce + " >> /etc/site-title\n");
            repo.write(".miaobu/title.txt", "built in the project's image\n");
            repo.writeBuildScript("""
                    const fs = require('fs');
                    const title = fs.readFileSync('/etc/site-title', 'utf8').trim().split('\\n').join(', ');
                    fs.mkdirSync('dist', { recursive: true });
                    fs.writeFileSync('dist/index.html', '<h1>' + title + '</h1>');
                    """);
            repo.commit("own build image");
            configureDocker(server, "unix:///var/run/docker.sock");
            long project = BuildSystemIT.createProject(server, repo, "Imaged");

            JsonNode first = server.awaitFinal(BuildSystemIT.deploy(server, project));
            String firstLog = log(server, first);
            assertThat(first.get("status").asText()).as(firstLog).isEqualTo("LIVE");
            assertThat(firstLog).containsPattern("Building image miaobu-build/imaged:[0-9a-f]{12} from"
                    + " \\.miaobu/build\\.Dockerfile").contains("Running in Docker: image miaobu-build/imaged:");
            assertThat(server.site("imaged", "/").body())
                    .contains("<h1>built in the project's image, " + nonce + "</h1>");
            String tag = firstLog.replaceAll("(?s).*Built image (miaobu-build/imaged:[0-9a-f]{12}) in .*", "$1");

            repo.commitMessage("second deploy, same image");
            JsonNode second = server.awaitFinal(BuildSystemIT.deploy(server, project));
            String secondLog = log(server, second);
            assertThat(second.get("status").asText()).as(secondLog).isEqualTo("LIVE");
            assertThat(secondLog).contains("Build image " + tag + " is up to date")
                    .doesNotContain("Building image").doesNotContain("Step 1/");
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

    private static String log(TestServer server, JsonNode deployment) throws Exception {
        return server.api("GET", "/api/v1/deployments/" + deployment.get("id").asLong() + "/log", null).body();
    }

    private static void configureDocker(TestServer server, String host) throws Exception {
        server.json("PUT", "/api/v1/extensions/BuildRunner/docker/settings", Map.of("values", Map.of(
                "docker-host", host, "image", IMAGE, "network", "none", "memory-mb", "512", "cpus", "1",
                // a boolean left out of the form is off
                "project-images", "true")), 200);
    }
}
