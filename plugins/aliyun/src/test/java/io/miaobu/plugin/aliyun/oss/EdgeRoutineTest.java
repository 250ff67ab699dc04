package io.miaobu.plugin.aliyun.oss;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.deploy.PublishedDeployment;
import io.miaobu.api.deploy.SiteDeployment;
import io.miaobu.api.testkit.RecordingTaskLog;
import io.miaobu.plugin.aliyun.oss.standin.OssStandIn;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The edge routine shipped for Alibaba CDN ({@code aliyun/edge-routine.js}), run with real {@code node} as the
 * EdgeRoutine runtime runs it (a service-worker fetch event), against the OSS stand-in: it serves what the deploy
 * target published exactly as the tests' {@link EdgeFollower} does.
 */
class EdgeRoutineTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    private OssStandIn oss;
    private ConfigValues settings;
    private OssDeployTarget target;
    private final RecordingTaskLog log = new RecordingTaskLog();

    @BeforeEach
    void start() throws Exception {
        oss = OssStandIn.start("sites").user(TestSettings.KEY_ID, TestSettings.SECRET).allowAnonymousReads(true);
        settings = TestSettings.of(oss, "v4");
        target = new OssDeployTarget(new OssTuning(8, 4, Duration.ofMillis(5)), Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        oss.close();
    }

    @Test
    void servesThePublishedSiteLikeTheFollowerDoes() throws Exception {
        Map<String, String> files = OssDeployTargetTest.site(40);
        files.put("assets/app.3f9a1c2b.js.br", "brotli bytes");
        PublishedDeployment published = target.publish(new TestPublishContext("blog", "d1", output(files), log,
                settings));
        target.activate(new SiteDeployment("blog", published, settings, ConfigValues.EMPTY, log));
        var follower = new EdgeFollower(oss.endpoint(), "sites", OssDeployTargetTest.SITE);

        List<String> paths = List.of("/", "/docs/", "/docs", "/assets/app.3f9a1c2b.js", "/img/photo-8.png",
                "/no/such/page");
        List<JsonNode> answers = run(paths.stream().map(p -> Map.<String, Object>of(
                "url", "https://blog.sites.example.test" + p)).toList());

        for (int i = 0; i < paths.size(); i++) {
            EdgeFollower.Response expected = follower.get(paths.get(i));
            JsonNode answer = answers.get(i);
            assertThat(answer.get("status").asInt()).as(paths.get(i)).isEqualTo(expected.status());
            if (expected.status() != 301) {
                assertThat(answer.get("body").asText()).as(paths.get(i)).isEqualTo(expected.text());
                assertThat(answer.get("headers").get("content-type").asText()).as(paths.get(i))
                        .isEqualTo(expected.headers().get("Content-Type"));
                assertThat(answer.get("headers").get("cache-control").asText()).as(paths.get(i))
                        .isEqualTo(expected.headers().get("Cache-Control"));
            } else {
                assertThat(answer.get("headers").get("location").asText()).isEqualTo("/docs/");
            }
        }
        assertThat(answers.get(5).get("status").asInt()).isEqualTo(404);
        assertThat(answers.get(5).get("body").asText()).isEqualTo(files.get("404.html"));

        // a preview host reads the preview's pointer; a host of no site is refused
        target.activatePreview(new SiteDeployment("blog", published, settings, ConfigValues.EMPTY, log),
                "7--blog");
        List<JsonNode> more = run(List.of(
                Map.of("url", "https://7--blog.sites.example.test/"),
                Map.of("url", "https://other.example.test/"),
                Map.of("url", "https://blog.sites.example.test/assets/app.3f9a1c2b.js",
                        "headers", Map.of("Accept-Encoding", "gzip, br"))));
        assertThat(more.get(0).get("status").asInt()).isEqualTo(200);
        assertThat(more.get(0).get("body").asText()).isEqualTo(files.get("index.html"));
        assertThat(more.get(1).get("status").asInt()).isEqualTo(404);
        assertThat(more.get(2).get("body").asText()).isEqualTo("brotli bytes");
        assertThat(more.get(2).get("headers").get("content-encoding").asText()).isEqualTo("br");
    }

    /** Runs the edge routine with node for each request; one JSON answer per request. */
    private List<JsonNode> run(List<Map<String, Object>> requests) throws Exception {
        Path routine = temp.resolve("edge-routine.js");
        Path harness = temp.resolve("edge-harness.js");
        try (InputStream in = OssDeployTarget.class.getResourceAsStream("/aliyun/edge-routine.js")) {
            Files.write(routine, in.readAllBytes());
        }
        try (InputStream in = EdgeRoutineTest.class.getResourceAsStream("edge-harness.js")) {
            Files.write(harness, in.readAllBytes());
        }
        String origin = oss.endpoint().toString().replaceAll("/$", "") + "/sites";
        Process node = new ProcessBuilder("node", harness.toString(), routine.toString(), origin, "miaobu/sites/",
                "sites.example.test", JSON.writeValueAsString(requests)).redirectErrorStream(true).start();
        String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(node.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(node.exitValue()).as(output).isZero();
        List<JsonNode> answers = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (line.startsWith("{")) {
                answers.add(JSON.readTree(line));
            }
        }
        assertThat(answers).as(output).hasSize(requests.size());
        return answers;
    }

    private Path output(Map<String, String> files) throws Exception {
        Path dir = Files.createDirectories(temp.resolve("out"));
        for (var file : new LinkedHashMap<>(files).entrySet()) {
            Path path = dir.resolve(file.getKey());
            Files.createDirectories(path.getParent());
            Files.writeString(path, file.getValue());
        }
        return dir;
    }
}
