package io.miaobu.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a real server process with one build running (and a grandchild process of it) and two queued; then a
 * restart on the same home: every deployment reaches a final state, the queued ones run, the interrupted one is failed
 * and retried once, and the processes the dead server left behind are gone.
 */
class CrashRecoveryIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PASSWORD = "correct horse battery";

    @TempDir
    Path temp;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void aKilledServerLosesNoBuildAndLeavesNothingRunning() throws Exception {
        Path home = temp.resolve("home");
        TestServer.installPlugins(home.resolve("plugins"));
        int port = TestServer.freePort();
        Path hold = temp.resolve("hold");
        Files.writeString(hold, "");
        Path grandchildPid = temp.resolve("grandchild.pid");

        try (var held = new SiteRepository(temp.resolve("held"));
             var quick = new SiteRepository(temp.resolve("quick"))) {
            held.writeBuildScript("""
                    const fs = require('fs');
                    const { spawn } = require('child_process');
                    const pidFile = %s;
                    const hold = %s;
                    const child = spawn('sh', ['-c', 'sleep 4931 & echo $! > "$0"; wait', pidFile],
                        { stdio: 'inherit' });
                    console.log('holding');
                    const timer = setInterval(() => {
                      if (!fs.existsSync(hold)) {
                        clearInterval(timer);
                        child.kill();
                        fs.mkdirSync('dist', { recursive: true });
                        fs.writeFileSync('dist/index.html', '<h1>held</h1>');
                      }
                    }, 50);
                    """.formatted(quoted(grandchildPid), quoted(hold)));
            held.commit("hold");
            quick.commitMessage("quick");

            Process server = startServer(home, port);
            String token;
            long heldProject;
            long running;
            List<Long> queued = new ArrayList<>();
            try {
                token = signIn(port);
                heldProject = createProject(port, token, "Held", held);
                long quickOne = createProject(port, token, "Quick one", quick);
                long quickTwo = createProject(port, token, "Quick two", quick);
                running = deploy(port, token, heldProject);
                awaitDeployment(port, token, running, d -> d.get("status").asText().equals("BUILDING"));
                awaitFile(grandchildPid);
                queued.add(deploy(port, token, quickOne));
                queued.add(deploy(port, token, quickTwo));
                for (long id : queued) {
                    assertThat(get(port, token, "/api/v1/deployments/" + id).get("status").asText())
                            .as("one build at a time on this server").isEqualTo("QUEUED");
                }
            } finally {
                server.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup
                server.waitFor(30, TimeUnit.SECONDS);
            }
            long orphan = Long.parseLong(Files.readString(grandchildPid).strip());
            assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive)).as("left behind by the killed server")
                    .contains(true);
            Files.delete(hold); // the retry may finish

            Process restarted = startServer(home, port);
            try {
                token = signIn(port);
                JsonNode interrupted = awaitDeployment(port, token, running, d -> isFinal(d.get("status").asText()));
                assertThat(interrupted.get("status").asText()).isEqualTo("FAILED");
                assertThat(interrupted.get("error").asText()).isEqualTo("Interrupted by server restart.");
                awaitDead(orphan);

                for (long id : queued) {
                    JsonNode done = awaitDeployment(port, token, id, d -> isFinal(d.get("status").asText()));
                    assertThat(done.get("status").asText()).as("queued deployment %s", id).isEqualTo("LIVE");
                }
                JsonNode deployments = get(port, token, "/api/v1/projects/" + heldProject + "/deployments");
                JsonNode retry = null;
                for (JsonNode d : deployments.get("items")) {
                    if (d.get("retryOf").asLong() == running) {
                        assertThat(retry).as("retried once").isNull();
                        retry = d;
                    }
                }
                assertThat(retry).as("a retry of the interrupted deployment").isNotNull();
                assertThat(retry.get("trigger").asText()).isEqualTo("retry");
                long retryId = retry.get("id").asLong();
                assertThat(awaitDeployment(port, token, retryId, d -> isFinal(d.get("status").asText()))
                        .get("status").asText()).isEqualTo("LIVE");

                // nothing is left queued or running anywhere
                assertThat(get(port, token, "/api/v1/admin/queue").get("items")).isEmpty();
            } finally {
                restarted.destroy();
                restarted.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private Process startServer(Path home, int port) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var builder = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                "io.miaobu.server.Main")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(temp.resolve("server.log").toFile()));
        Map<String, String> env = builder.environment();
        env.put("MIAOBU_HOME", home.toString());
        env.put("MIAOBU_PORT", Integer.toString(port));
        env.put("MIAOBU_HOST", "127.0.0.1");
        env.put("MIAOBU_INITIAL_ADMIN_USER", "admin");
        env.put("MIAOBU_INITIAL_ADMIN_PASSWORD", PASSWORD);
        env.put("MIAOBU_BUILDS_CONCURRENCY", "1");
        Process process = builder.start();
        Instant deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new AssertionError("the server exited: " + Files.readString(temp.resolve("server.log")));
            }
            try {
                if (http.send(HttpRequest.newBuilder(uri(port, "/health/ready")).GET().build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return process;
                }
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            LockSupport.parkNanos(100_000_000);
        }
        process.destroyForcibly();
        throw new AssertionError("the server did not get ready: " + Files.readString(temp.resolve("server.log")));
    }

    private String signIn(int port) throws Exception {
        var response = http.send(HttpRequest.newBuilder(uri(port, "/api/v1/auth/login"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("username", "admin",
                        "password", PASSWORD)))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body()).get("accessToken").asText();
    }

    private long createProject(int port, String token, String name, SiteRepository repo) throws Exception {
        return send(port, token, "POST", "/api/v1/projects", Map.of("name", name,
                "repositoryUrl", repo.directory().toString()), 201).get("id").asLong();
    }

    private long deploy(int port, String token, long project) throws Exception {
        return send(port, token, "POST", "/api/v1/projects/" + project + "/deployments", Map.of(), 201)
                .get("id").asLong();
    }

    private JsonNode get(int port, String token, String path) throws Exception {
        return send(port, token, "GET", path, null, 200);
    }

    private JsonNode send(int port, String token, String method, String path, Object body, int expected)
            throws Exception {
        var request = HttpRequest.newBuilder(uri(port, path)).header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(30));
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        }
        var response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isEqualTo(expected);
        return JSON.readTree(response.body());
    }

    private JsonNode awaitDeployment(int port, String token, long id, Predicate<JsonNode> done) throws Exception {
        Instant deadline = Instant.now().plusSeconds(90);
        JsonNode last = null;
        while (Instant.now().isBefore(deadline)) {
            last = get(port, token, "/api/v1/deployments/" + id);
            if (done.test(last)) {
                return last;
            }
            LockSupport.parkNanos(100_000_000);
        }
        throw new AssertionError("deployment " + id + " did not get there; last seen " + last);
    }

    private static boolean isFinal(String status) {
        return status.equals("LIVE") || status.equals("FAILED") || status.equals("CANCELLED");
    }

    private static void awaitFile(Path file) throws Exception {
        Instant deadline = Instant.now().plusSeconds(30);
        while (!(Files.exists(file) && Files.size(file) > 0) && Instant.now().isBefore(deadline)) {
            LockSupport.parkNanos(50_000_000);
        }
        assertThat(file).isNotEmptyFile();
    }

    private static void awaitDead(long pid) {
        Instant deadline = Instant.now().plusSeconds(15);
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && Instant.now().isBefore(deadline)) {
            LockSupport.parkNanos(100_000_000);
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                .as("process %s left by the killed server", pid).isFalse();
    }

    private static URI uri(int port, String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private static String quoted(Path path) throws Exception {
        return JSON.writeValueAsString(path.toString());
    }
}
