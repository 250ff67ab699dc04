package io.miaobu.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The out-of-tree example plugin ({@code examples/notify-log}: generated from the archetype, compiled only against
 * the published {@code plugin-api}, tested with the testkit, built by the archetype module's tests) installed into a
 * running server through the plugin manager's API, and working: its notifier delivers a test notification to its file.
 */
class ExamplePluginIT {

    /** Where the archetype module's tests build the example (its Maven Invoker run clones it to target/examples). */
    private static final Path EXAMPLE_BUILD = Path.of("..", "archetype", "target", "examples", "notify-log", "target");

    @TempDir
    Path temp;

    @Test
    void theExampleBuiltOutsideTheReactorInstallsThroughTheManagerAndDelivers() throws Exception {
        Path zip = exampleZip();
        try (var server = new TestServer(temp.resolve("home"), Map.of()).start()) {
            var response = server.send(HttpRequest.newBuilder(server.uri("/api/v1/plugins"))
                    .header("Authorization", "Bearer " + server.token())
                    .header("Content-Type", "application/zip")
                    .POST(HttpRequest.BodyPublishers.ofFile(zip)));
            assertThat(response.statusCode()).as(response.body()).isBetween(200, 201);

            JsonNode plugin = server.json("GET", "/api/v1/plugins/notify-log", null, 200);
            assertThat(plugin.get("state").asText()).isEqualTo("STARTED");
            assertThat(plugin.toString()).contains("\"log\"");

            JsonNode channel = server.json("POST", "/api/v1/admin/notifications/channels", Map.of("notifier", "log",
                    "name", "Deploy log", "events", List.of("deployment.failed"),
                    "settings", Map.of("file", "deploys.log", "format", "text")), 201);
            JsonNode test = server.json("POST", "/api/v1/admin/notifications/channels/" + channel.get("id").asLong()
                    + "/test", null, 200);
            assertThat(test.get("delivered").asBoolean()).as(test.toString()).isTrue();
            Path written = server.home().resolve("plugin-data").resolve("notify-log").resolve("deploys.log");
            assertThat(written).exists();
            assertThat(Files.readString(written)).contains("test");
        }
    }

    private static Path exampleZip() throws Exception {
        assertThat(EXAMPLE_BUILD).as("the example plugin is built by the archetype module's tests: run `mvn -B"
                + " verify` from the root (or `-pl archetype` before `-pl server`)").isDirectory();
        try (Stream<Path> files = Files.list(EXAMPLE_BUILD)) {
            return files.filter(f -> f.getFileName().toString().matches("notify-log-.*\\.zip")).findFirst()
                    .orElseThrow(() -> new AssertionError("no notify-log zip in " + EXAMPLE_BUILD.toAbsolutePath()));
        }
    }
}
