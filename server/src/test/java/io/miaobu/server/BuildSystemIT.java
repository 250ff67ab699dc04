package io.miaobu.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The build queue's limits and superseding, per-project stage limits, and secrets in builds, on a real server. */
class BuildSystemIT {

    @TempDir
    Path temp;

    /** A build that waits while {@code hold} exists, printing {@code marker} once it started. */
    private static String heldBuild(Path hold, String marker) {
        return """
                const fs = require('fs');
                console.log('%s');
                const timer = setInterval(() => {
                  if (!fs.existsSync(%s)) {
                    clearInterval(timer);
                    fs.mkdirSync('dist', { recursive: true });
                    fs.writeFileSync('dist/index.html', '<h1>done</h1>');
                  }
                }, 50);
                """.formatted(marker, json(hold.toString()));
    }

    @Test
    void newerPushesSupersedeQueuedOnesAndLimitsHoldPerProjectAndServerWide() throws Exception {
        Path hold = temp.resolve("hold");
        Files.writeString(hold, "");
        try (var repo = new SiteRepository(temp.resolve("repo"));
             var server = new TestServer(temp.resolve("home"), Map.of("builds.concurrency", "2")).start()) {
            repo.writeBuildScript(heldBuild(hold, "started"));
            repo.commit("held build");
            long project = createProject(server, repo, "Held");

            long running = deploy(server, project);
            awaitStatus(server, running, "BUILDING");
            long first = deploy(server, project);
            long second = deploy(server, project);
            long newest = deploy(server, project);

            // one build at a time for this project: the queued ones wait, and only the newest push survives
            assertThat(status(server, first)).isEqualTo("CANCELLED");
            assertThat(server.json("GET", "/api/v1/deployments/" + second, null, 200).get("error").asText())
                    .isEqualTo("Superseded by deployment #" + newest + ".");
            assertThat(status(server, newest)).isEqualTo("QUEUED");
            JsonNode queue = server.json("GET", "/api/v1/admin/queue", null, 200);
            assertThat(queue.get("items")).hasSize(2);
            assertThat(queue.at("/items/0/deploymentId").asLong()).isEqualTo(running);
            assertThat(queue.at("/items/0/node").asText()).isNotBlank();
            assertThat(queue.at("/items/1/position").asInt()).isEqualTo(1);

            // with a limit of 2 the queued one starts next to the running one
            server.json("PUT", "/api/v1/projects/" + project + "/build-limits", Map.of("maxConcurrentBuilds", 2,
                    "retryInterrupted", true), 200);
            awaitStatus(server, newest, "BUILDING");

            // the server runs at most two builds: a third project's build waits for a slot
            long other = createProject(server, repo, "Other");
            long otherBuild = deploy(server, other);
            assertThat(status(server, otherBuild)).isEqualTo("QUEUED");

            // clearing a project's queue cancels what waits, not what runs
            long extra = server.json("POST", "/api/v1/projects/" + other + "/deployments", Map.of(), 201)
                    .get("id").asLong();
            assertThat(server.json("DELETE", "/api/v1/projects/" + other + "/queue", null, 200)
                    .get("cancelled").asInt()).isEqualTo(1);
            assertThat(server.json("GET", "/api/v1/deployments/" + extra, null, 200).get("error").asText())
                    .startsWith("Queue cleared by admin");

            Files.delete(hold);
            assertThat(server.awaitFinal(running).get("status").asText()).isEqualTo("LIVE");
            assertThat(server.awaitFinal(newest).get("status").asText()).isEqualTo("LIVE");
        }
    }

    @Test
    void aProjectsOwnStageLimitKillsItsWholeProcessTree() throws Exception {
        try (var repo = new SiteRepository(temp.resolve("repo"));
             var server = new TestServer(temp.resolve("home"), Map.of()).start()) {
            repo.writeBuildScript("""
                    const { spawn } = require('child_process');
                    spawn('sh', ['-c', 'sleep 4821 & sleep 4821; wait'], { stdio: 'inherit' });
                    setInterval(() => {}, 1000);
                    """);
            repo.commit("hang");
            long project = createProject(server, repo, "Slow");
            JsonNode limits = server.json("PUT", "/api/v1/projects/" + project + "/build-limits", Map.of(
                    "maxConcurrentBuilds", 1, "retryInterrupted", true, "timeoutBuildSeconds", 2), 200);
            assertThat(limits.get("timeoutBuildSeconds").asInt()).isEqualTo(2);
            assertThat(server.json("PUT", "/api/v1/projects/" + project + "/build-limits", Map.of(
                    "maxConcurrentBuilds", 0, "retryInterrupted", true), 400).at("/error/field").asText())
                    .isEqualTo("maxConcurrentBuilds");

            Instant started = Instant.now();
            JsonNode failed = server.awaitFinal(deploy(server, project));
            assertThat(failed.get("status").asText()).isEqualTo("FAILED");
            assertThat(failed.get("error").asText()).contains("timed out after 2");
            assertThat(Duration.between(started, Instant.now())).isLessThan(Duration.ofSeconds(30));
            DeployEndToEndIT.awaitNoProcess("sleep 4821");
        }
    }

    @Test
    void buildsGetTheVariablesAndNoFormOfASecretReachesTheLogOrTheSite() throws Exception {
        String secret = "s3cr3t/v@lue+" + Long.toHexString(System.nanoTime());
        try (var repo = new SiteRepository(temp.resolve("repo"));
             var server = new TestServer(temp.resolve("home"), Map.of()).start()) {
            repo.writeBuildScript("""
                    const fs = require('fs');
                    const s = process.env.API_KEY;
                    console.log('plain: ' + process.env.PUBLIC_NAME);
                    console.log('length: ' + s.length);
                    console.log('raw: ' + s);
                    console.log('base64: ' + Buffer.from(s).toString('base64'));
                    console.log('base64url: ' + Buffer.from(s).toString('base64url'));
                    console.log('url: ' + encodeURIComponent(s));
                    console.log('json: ' + JSON.stringify({ key: s + '"' }));
                    process.stdout.write('split: ' + s.slice(0, 5));
                    setTimeout(() => {
                      process.stdout.write(s.slice(5) + ' end\\n');
                      fs.mkdirSync('dist', { recursive: true });
                      fs.writeFileSync('dist/index.html', '<h1>ok</h1>');
                      if (fs.existsSync('leak.txt')) {
                        fs.mkdirSync('dist/js', { recursive: true });
                        fs.writeFileSync('dist/js/app.js', 'const key = "' + s + '";');
                      }
                    }, 300);
                    """);
            repo.commit("print the variables");
            long project = createProject(server, repo, "Secretive");
            server.json("PUT", "/api/v1/projects/" + project + "/variables/API_KEY",
                    Map.of("value", secret, "secret", true), 200);
            server.json("PUT", "/api/v1/projects/" + project + "/variables/PUBLIC_NAME",
                    Map.of("value", "Shop", "secret", false), 200);

            long id = deploy(server, project);
            assertThat(server.awaitFinal(id).get("status").asText()).isEqualTo("LIVE");
            String log = server.api("GET", "/api/v1/deployments/" + id + "/log", null).body();
            assertThat(log).contains("plain: Shop", "length: " + secret.length(), "raw: ****", "base64: ****",
                    "base64url: ****", "url: ****", "split: **** end").contains("Environment (production)");
            var forms = new HashMap<String, String>();
            forms.put("raw", secret);
            forms.put("base64", Base64.getEncoder().encodeToString(secret.getBytes()));
            forms.put("base64url", Base64.getUrlEncoder().withoutPadding().encodeToString(secret.getBytes()));
            forms.put("url", java.net.URLEncoder.encode(secret, java.nio.charset.StandardCharsets.UTF_8));
            forms.put("json", secret.replace("/", "\\/"));
            forms.forEach((name, form) -> assertThat(log).as(name).doesNotContain(form));
            assertThat(log).doesNotContain(secret.substring(5));

            // a secret compiled into the output: refused, naming the file
            repo.write("leak.txt", "yes");
            repo.commit("leak the key into the bundle");
            JsonNode leaked = server.awaitFinal(deploy(server, project));
            assertThat(leaked.get("status").asText()).isEqualTo("FAILED");
            assertThat(leaked.get("error").asText()).contains("API_KEY").contains("js/app.js")
                    .doesNotContain(secret);
            assertThat(server.site("secretive", "/js/app.js").statusCode()).isEqualTo(404);
        }
    }

    static long createProject(TestServer server, SiteRepository repo, String name) throws Exception {
        return server.json("POST", "/api/v1/projects", Map.of("name", name,
                "repositoryUrl", repo.directory().toString()), 201).get("id").asLong();
    }

    static long deploy(TestServer server, long projectId) throws Exception {
        return server.json("POST", "/api/v1/projects/" + projectId + "/deployments", Map.of(), 201).get("id").asLong();
    }

    private static String status(TestServer server, long id) throws Exception {
        return server.json("GET", "/api/v1/deployments/" + id, null, 200).get("status").asText();
    }

    static void awaitStatus(TestServer server, long id, String wanted) throws Exception {
        server.awaitDeployment(id, d -> d.get("status").asText().equals(wanted), Duration.ofSeconds(60));
    }

    private static String json(String text) {
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
