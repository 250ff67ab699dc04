package io.miaobu.plugin.docker;

import static org.assertj.core.api.Assertions.fail;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import io.miaobu.api.ExtensionException;
import io.miaobu.api.config.ConfigValues;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Assumptions;

/**
 * The machine's Docker engine, for tests that run real containers. Skips the test when there is no engine; fails it
 * when the engine lacks the test image, which .ci/docker-test-image.sh makes.
 */
final class TestEngine implements AutoCloseable {

    static final String HOST = "unix:///var/run/docker.sock";
    static final String IMAGE = "miaobu-test/node:20";

    private final DockerEngine engine;

    private TestEngine(DockerEngine engine) {
        this.engine = engine;
    }

    static TestEngine require() throws InterruptedException {
        DockerEngine engine;
        try {
            engine = DockerEngine.connect(HOST);
        } catch (ExtensionException e) {
            Assumptions.abort("No Docker engine to run containers in (" + e.getMessage() + "). Start dockerd, as"
                    + " .ci/run does, to run these tests.");
            throw e;
        }
        try {
            engine.calls().inspectImageCmd(IMAGE).exec();
        } catch (NotFoundException e) {
            engine.close();
            fail("The Docker engine has no image " + IMAGE + ": run .ci/docker-test-image.sh");
        }
        return new TestEngine(engine);
    }

    /** The runner's settings for tests: the test image, small limits, no network; {@code more} on top. */
    static ConfigValues settings(String... more) {
        var values = new HashMap<String, String>(Map.of(
                DockerSettings.DOCKER_HOST, HOST,
                DockerSettings.IMAGE, IMAGE,
                DockerSettings.MEMORY_MB, "512",
                DockerSettings.CPUS, "1",
                DockerSettings.NETWORK, "none"));
        for (int i = 0; i < more.length; i += 2) {
            values.put(more[i], more[i + 1]);
        }
        return ConfigValues.of(values);
    }

    DockerClient client() {
        return engine.calls();
    }

    /** Every container, running or not, labelled as belonging to {@code build}. */
    List<Container> containersOf(String build) {
        return engine.calls().listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(DockerBuildRunner.BUILD_LABEL, build)).exec();
    }

    /** The project's build images ({@code io.miaobu.project=<projectKey>}), by their tags. */
    List<String> imageTagsOf(String projectKey) {
        return engine.calls().listImagesCmd().withLabelFilter(Map.of(ProjectImage.PROJECT_LABEL, projectKey)).exec()
                .stream().filter(image -> image.getRepoTags() != null)
                .flatMap(image -> java.util.Arrays.stream(image.getRepoTags()))
                .filter(tag -> !tag.startsWith("<none>"))
                .sorted().toList();
    }

    /** Removes the project's build images, which outlive the tests otherwise. */
    void removeImagesOf(String projectKey) {
        for (var image : engine.calls().listImagesCmd()
                .withLabelFilter(Map.of(ProjectImage.PROJECT_LABEL, projectKey)).exec()) {
            try {
                engine.calls().removeImageCmd(image.getId()).withForce(true).exec();
            } catch (NotFoundException e) {
                // removed with another one
            }
        }
    }

    /** Every container, running or not, whose command line contains {@code marker}. */
    List<Container> containersRunning(String marker) {
        return engine.calls().listContainersCmd().withShowAll(true).exec().stream()
                .filter(container -> container.getCommand() != null && container.getCommand().contains(marker))
                .toList();
    }

    /** Polls until {@code condition} holds, failing after {@code limit}. */
    static void await(String what, Duration limit, Supplier<Boolean> condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                fail("Waited " + limit.toSeconds() + " s for " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(50_000_000);
        }
    }

    @Override
    public void close() {
        engine.close();
    }
}
