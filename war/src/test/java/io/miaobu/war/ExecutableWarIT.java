package io.miaobu.war;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged miaobu.war, started as an admin would start it: java -jar, a fresh MIAOBU_HOME, nothing else. */
class ExecutableWarIT {

    @TempDir
    Path home;

    @Test
    void startsFromAFreshHomeWithTheBundledPluginsAndAskesForSetup() throws Exception {
        int port;
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path war = Path.of("target", "miaobu.war").toAbsolutePath();
        assertThat(war).exists();
        var builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", war.toString())
                .redirectErrorStream(true)
                .redirectOutput(home.resolve("server.log").toFile());
        builder.environment().put("MIAOBU_HOME", home.toString());
        builder.environment().put("MIAOBU_PORT", Integer.toString(port));
        builder.environment().put("MIAOBU_HOST", "127.0.0.1");
        Process server = builder.start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            URI ready = URI.create("http://127.0.0.1:" + port + "/health/ready");
            HttpResponse<String> readiness = awaitAnswer(http, ready, server);

            assertThat(readiness.statusCode()).as(log()).isEqualTo(200);
            assertThat(readiness.body()).contains("\"database\":\"UP\"").contains("\"plugins\":\"UP\"");
            assertThat(home.resolve("plugins/miaobu-plugin-git.zip")).exists();
            assertThat(home.resolve("plugins/miaobu-plugin-github.zip")).exists();
            assertThat(home.resolve("plugins/miaobu-plugin-aliyun.zip")).exists();
            assertThat(home.resolve("plugins/miaobu-plugin-node.zip")).exists();
            assertThat(home.resolve("plugins/miaobu-plugin-local-storage.zip")).exists();
            assertThat(home.resolve("plugins/miaobu-plugin-docker.zip")).exists();
            assertThat(home.resolve("plugins/miaobu-plugin-notify-webhook.zip")).exists();
            assertThat(home.resolve("plugins/miaobu-plugin-notify-email.zip")).exists();
            assertThat(home.resolve("plugins/miaobu-plugin-acme.zip")).exists();
            Path token = home.resolve("secrets/initial-setup-token");
            assertThat(token).exists();
            assertThat(log()).contains(Files.readString(token).strip());

            var setup = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/setup")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(setup.statusCode()).isEqualTo(200);
            assertThat(setup.body()).contains("name=\"setupToken\"");
        } finally {
            server.destroy();
            if (!server.waitFor(20, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
        assertThat(log()).doesNotContain("ERROR");
    }

    private HttpResponse<String> awaitAnswer(HttpClient http, URI uri, Process server) throws Exception {
        Instant deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline)) {
            if (!server.isAlive()) {
                throw new AssertionError("miaobu.war exited with " + server.exitValue() + ":\n" + log());
            }
            try {
                var response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 503) {
                    return response;
                }
                // 503 with Retry-After: listening already, not ready yet
                assertThat(response.headers().firstValue("Retry-After")).isPresent();
            } catch (IOException notYet) {
                // not listening yet
            }
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
        throw new AssertionError("miaobu.war did not answer in 60 s:\n" + log());
    }

    private String log() throws IOException {
        return Files.readString(home.resolve("server.log"));
    }
}
