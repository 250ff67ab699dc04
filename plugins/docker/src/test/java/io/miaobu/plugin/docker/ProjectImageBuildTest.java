package io.miaobu.plugin.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import io.miaobu.api.ExtensionException;
import io.miaobu.api.build.BuildPlan;
import io.miaobu.api.build.BuildRunner;
import io.miaobu.api.build.CommandResult;
import io.miaobu.api.build.CommandSpec;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.testkit.RecordingTaskLog;
import io.miaobu.api.testkit.RecordingTaskLog.Level;
import io.miaobu.api.testkit.TestHostInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Project build images on the machine's real engine: built from {@code .miaobu/build.Dockerfile} on the first
 * command, found up to date afterwards, rebuilt on the engine's layer cache, pruned, and stopped on cancel.
 */
class ProjectImageBuildTest {

    private static final BuildPlan PLAN = new BuildPlan("static", "", "", "", ".", "");
    /** Every test's Dockerfile starts from the image the settings name, as a project's portable Dockerfile would. */
    private static final String FROM = "ARG MIAOBU_BASE_IMAGE\nFROM ${MIAOBU_BASE_IMAGE}\n";

    private static TestEngine engine;

    @TempDir
    Path temp;

    private Path workspace;
    private DockerBuildRunner runner;
    /** The project's slug and so its images' repository, {@code miaobu-build/<project>}. */
    private final String project = "image-test-" + UUID.randomUUID().toString().substring(0, 8);
    /** In the RUN steps, so that this test's build containers can be told from everyone else's. */
    private final String marker = "marker-" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    static void connect() throws InterruptedException {
        engine = TestEngine.require();
    }

    @AfterAll
    static void disconnect() {
        if (engine != null) {
            engine.close();
        }
    }

    @BeforeEach
    void createWorkspace() throws Exception {
        workspace = Files.createDirectories(temp.resolve("workspace"));
        runner = new DockerBuildRunner(new TestHostInfo(temp.resolve("home")));
    }

    @AfterEach
    void removeImages() {
        if (engine != null) {
            engine.removeImagesOf(project);
        }
    }

    @Test
    void buildsTheImageBeforeTheFirstCommandAndRunsTheCommandsInIt() throws Exception {
        dockerfile(FROM + """
                COPY greet /usr/local/bin/greet
                RUN mkdir -p /opt/tools && echo "made while building the image" > /opt/tools/note
                """);
        Path greet = Files.writeString(workspace.resolve(".miaobu/greet"), "#!/bin/sh\necho \"greet says $1\"\n");
        Files.setPosixFilePermissions(greet, PosixFilePermissions.fromString("rwxr-xr-x"));
        var log = new RecordingTaskLog();
        BuildRunner configured = forBuild(TestEngine.settings());

        CommandResult first = configured.run(spec("greet hello", Duration.ofMinutes(2)), log);
        CommandResult second = configured.run(spec("cat /opt/tools/note", Duration.ofMinutes(1)), log);

        assertThat(first.succeeded()).as(log.text()).isTrue();
        assertThat(second.succeeded()).as(log.text()).isTrue();
        assertThat(log.lines(Level.OUTPUT)).contains("greet says hello", "made while building the image");
        String tag = onlyTag();
        assertThat(tag).matches("miaobu-build/" + project + ":[0-9a-f]{12}");
        assertThat(log.lines(Level.INFO)).filteredOn(line -> line.startsWith("Building image ")).containsExactly(
                "Building image " + tag + " from .miaobu/build.Dockerfile (context: .miaobu/, 2 files)");
        assertThat(log.lines(Level.INFO)).anyMatch(line -> line.matches("Built image " + tag + " in \\d+\\.\\d s"));
        assertThat(log.lines(Level.INFO)).filteredOn(line -> line.startsWith("Running in Docker: image " + tag + ","))
                .hasSize(2);
        assertThat(log.lines(Level.OUTPUT)).anyMatch(line -> line.startsWith("Step 3/"));
        InspectImageResponse image = engine.client().inspectImageCmd(tag).exec();
        assertThat(image.getConfig().getLabels())
                .containsEntry("io.miaobu.managed", "true").containsEntry("io.miaobu.project", project);
        assertThat(engine.containersOf(project + "/7")).isEmpty();
    }

    @Test
    void anUnchangedDockerfileIsNotBuiltAgain() throws Exception {
        dockerfile(FROM + "RUN echo " + marker + " > /built\n");
        run(TestEngine.settings(), "true");
        String id = engine.client().inspectImageCmd(onlyTag()).exec().getId();
        var log = new RecordingTaskLog();

        CommandResult second = forBuild(TestEngine.settings()).run(spec("cat /built", Duration.ofMinutes(1)), log);

        assertThat(second.succeeded()).as(log.text()).isTrue();
        assertThat(log.lines(Level.INFO)).contains("Build image " + onlyTag() + " is up to date")
                .noneMatch(line -> line.startsWith("Building image"));
        assertThat(log.lines(Level.OUTPUT)).noneMatch(line -> line.startsWith("Step ")).contains(marker);
        assertThat(engine.client().inspectImageCmd(onlyTag()).exec().getId()).isEqualTo(id);
    }

    @Test
    void aChangedLastStepReusesTheLayersOfTheStepsBefore() throws Exception {
        String steps = FROM + "RUN echo one > /one && echo " + marker + "\n";
        dockerfile(steps + "RUN echo two > /last\n");
        run(TestEngine.settings(), "true");
        String firstTag = onlyTag();
        List<String> firstLayers = layers(firstTag);
        dockerfile(steps + "RUN echo three > /last\n");

        RecordingTaskLog log = run(TestEngine.settings(), "cat /one /last");

        assertThat(engine.imageTagsOf(project)).hasSize(2).contains(firstTag);
        String secondTag = engine.imageTagsOf(project).stream().filter(tag -> !tag.equals(firstTag)).findFirst()
                .orElseThrow();
        List<String> secondLayers = layers(secondTag);
        assertThat(log.lines(Level.OUTPUT)).contains(" ---> Using cache", "one", "three");
        // the same layers up to the changed step, which made a new one
        assertThat(secondLayers).hasSameSizeAs(firstLayers);
        assertThat(secondLayers.subList(0, secondLayers.size() - 1))
                .isEqualTo(firstLayers.subList(0, firstLayers.size() - 1));
        assertThat(secondLayers.get(secondLayers.size() - 1)).isNotEqualTo(firstLayers.get(firstLayers.size() - 1));
        // the step before the change did not run again
        assertThat(log.lines(Level.OUTPUT)).doesNotContain(marker);
    }

    @Test
    void aFailingStepFailsTheBuildNamingTheStep() throws Exception {
        dockerfile(FROM + "RUN echo " + marker + " is about to fail >&2 && exit 3\nRUN echo never\n");
        var log = new RecordingTaskLog();
        BuildRunner configured = forBuild(TestEngine.settings());

        assertThatThrownBy(() -> configured.run(spec("true", Duration.ofMinutes(2)), log))
                .isInstanceOf(ExtensionException.class)
                .hasMessage("Building the image from .miaobu/build.Dockerfile failed at step 3/6 (RUN echo " + marker
                        + " is about to fail >&2 && exit 3): The command '/bin/sh -c echo " + marker
                        + " is about to fail >&2 && exit 3' returned a non-zero code: 3");
        // the engine colours standard error; the log gets the text
        assertThat(log.lines(Level.OUTPUT)).contains(marker + " is about to fail");
        assertThat(log.text()).doesNotContain("\u001b");
        assertThat(engine.imageTagsOf(project)).isEmpty();
        assertThat(engine.containersRunning(marker)).isEmpty();
        assertThat(engine.containersOf(project + "/7")).isEmpty();
    }

    @Test
    void aDockerfileTheEngineCannotReadFailsTheBuildWithTheEnginesMessage() throws Exception {
        dockerfile(FROM + "RUNN echo typo\n");
        BuildRunner configured = forBuild(TestEngine.settings());

        assertThatThrownBy(() -> configured.run(spec("true", Duration.ofMinutes(1)), new RecordingTaskLog()))
                .isInstanceOf(ExtensionException.class)
                .hasMessageStartingWith("Building the image from .miaobu/build.Dockerfile failed")
                .hasMessageContaining("unknown instruction: RUNN");
    }

    @Test
    void keepsOnlyTheNewestImagesOfAProject() throws Exception {
        var tags = new java.util.ArrayList<String>();
        RecordingTaskLog last = null;
        for (int version = 1; version <= 3; version++) {
            dockerfile(FROM + "RUN echo version " + version + " > /version\n");
            last = run(TestEngine.settings(DockerSettings.PROJECT_IMAGES_KEPT, "2"), "cat /version");
            tags.add(last.lines(Level.INFO).stream().filter(line -> line.startsWith("Built image "))
                    .map(line -> line.split(" ")[2]).findFirst().orElseThrow());
        }

        assertThat(engine.imageTagsOf(project)).containsExactlyInAnyOrder(tags.get(1), tags.get(2));
        assertThat(last.lines(Level.INFO)).contains("Removed the older build image " + tags.get(0));
        assertThatThrownBy(() -> engine.client().inspectImageCmd(tags.get(0)).exec())
                .isInstanceOf(NotFoundException.class);
        assertThat(last.lines(Level.OUTPUT)).contains("version 3");
    }

    @Test
    void cancellingDuringTheImageBuildStopsItAndLeavesNoContainer() throws Exception {
        dockerfile(FROM + "RUN echo " + marker + " started && sleep 600\n");
        var log = new RecordingTaskLog();
        BuildRunner configured = forBuild(TestEngine.settings());
        var failure = new AtomicReference<Throwable>();
        Thread build = new Thread(() -> {
            try {
                configured.run(spec("true", Duration.ofMinutes(10)), log);
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "docker-image-test-build");
        build.start();
        TestEngine.await("the image build's RUN step to start", Duration.ofMinutes(1),
                () -> log.lines(Level.OUTPUT).contains(marker + " started"));
        assertThat(engine.containersRunning(marker)).isNotEmpty();

        build.interrupt();
        build.join(Duration.ofSeconds(30).toMillis());

        assertThat(build.isAlive()).as("the runner returned after the interrupt").isFalse();
        assertThat(failure.get()).isInstanceOf(InterruptedException.class);
        TestEngine.await("the engine to remove the step's container", Duration.ofSeconds(30),
                () -> engine.containersRunning(marker).isEmpty());
        assertThat(engine.imageTagsOf(project)).isEmpty();
        assertThat(engine.containersOf(project + "/7")).isEmpty();
    }

    @Test
    void anImageBuildLongerThanTheCommandsTimeLimitFailsAndIsStopped() throws Exception {
        dockerfile(FROM + "RUN echo " + marker + " started && sleep 600\n");
        BuildRunner configured = forBuild(TestEngine.settings());

        assertThatThrownBy(() -> configured.run(spec("true", Duration.ofSeconds(5)), new RecordingTaskLog()))
                .isInstanceOf(ExtensionException.class)
                .hasMessage("Building the image from .miaobu/build.Dockerfile took longer than 5 s, the time limit of"
                        + " the build's first command (it was at step 3/5 (RUN echo " + marker
                        + " started && sleep 600)).");
        TestEngine.await("the engine to remove the step's container", Duration.ofSeconds(30),
                () -> engine.containersRunning(marker).isEmpty());
        assertThat(engine.imageTagsOf(project)).isEmpty();
    }

    @Test
    void theProjectsVariablesAndSecretsDoNotReachTheImageBuild() throws Exception {
        dockerfile(FROM + "ARG API_TOKEN\nRUN echo \"token=[$API_TOKEN]\" && echo \"env has token: $(env | grep -c"
                + " s3cr3t)\"\n");
        var log = new RecordingTaskLog();

        CommandResult result = forBuild(TestEngine.settings()).run(spec("echo \"command sees $API_TOKEN\"",
                Map.of("API_TOKEN", "s3cr3t-value"), Duration.ofMinutes(2)), log);

        assertThat(result.succeeded()).as(log.text()).isTrue();
        assertThat(log.lines(Level.OUTPUT)).contains("token=[]", "env has token: 0", "command sees s3cr3t-value");
        InspectImageResponse image = engine.client().inspectImageCmd(onlyTag()).exec();
        assertThat(String.join(" ", image.getConfig().getEnv())).doesNotContain("s3cr3t");
    }

    @Test
    void aDockerfileOnTheAdminsImageNeedsItOnTheEngineAndPullsItOnlyIfAllowed() throws Exception {
        dockerfile(FROM + "RUN echo " + marker + "\n");
        BuildRunner configured = forBuild(TestEngine.settings("image", "miaobu-test/not-loaded:{node}"));

        assertThatThrownBy(() -> configured.run(spec("true", Duration.ofMinutes(1)), new RecordingTaskLog()))
                .isInstanceOf(ExtensionException.class)
                .hasMessageStartingWith("The image 'miaobu-test/not-loaded:lts' is not on the Docker engine at "
                        + TestEngine.HOST + ", and pulling images is off.");
        assertThat(engine.imageTagsOf(project)).isEmpty();
    }

    @Test
    void aDockerfileNamingItsOwnBaseImageDoesNotNeedTheAdminsImage() throws Exception {
        dockerfile("FROM " + TestEngine.IMAGE + "\nRUN echo " + marker + " > /built\n");

        RecordingTaskLog log = run(TestEngine.settings("image", "miaobu-test/not-loaded:{node}"), "cat /built");

        assertThat(log.lines(Level.OUTPUT)).contains(marker);
        assertThat(engine.imageTagsOf(project)).hasSize(1);
    }

    @Test
    void withProjectImagesOffTheDockerfileIsIgnoredWithAWarning() throws Exception {
        dockerfile(FROM + "RUN echo " + marker + "\n");

        RecordingTaskLog log = run(TestEngine.settings(DockerSettings.PROJECT_IMAGES, "false"), "true");

        assertThat(log.lines(Level.WARN)).contains("This project has .miaobu/build.Dockerfile, but project build"
                + " images are off on this server: commands run in " + TestEngine.IMAGE + ". An admin can turn them"
                + " on in the docker runner's settings.");
        assertThat(log.lines(Level.INFO)).anyMatch(line -> line.startsWith("Running in Docker: image "
                + TestEngine.IMAGE + ","));
        assertThat(engine.imageTagsOf(project)).isEmpty();
    }

    @Test
    void withoutADockerfileCommandsRunInTheAdminsImage() throws Exception {
        RecordingTaskLog log = run(TestEngine.settings(), "true");

        assertThat(log.lines(Level.INFO)).noneMatch(line -> line.contains("miaobu-build/"))
                .anyMatch(line -> line.startsWith("Running in Docker: image " + TestEngine.IMAGE + ","));
        assertThat(engine.imageTagsOf(project)).isEmpty();
    }

    @Test
    void aDockerfileThatIsALinkIsRefused() throws Exception {
        Path secret = Files.writeString(temp.resolve("server-file"), "FROM scratch\n");
        Files.createDirectories(workspace.resolve(".miaobu"));
        Files.createSymbolicLink(workspace.resolve(".miaobu/build.Dockerfile"), secret);
        BuildRunner configured = forBuild(TestEngine.settings());

        assertThatThrownBy(() -> configured.run(spec("true", Duration.ofMinutes(1)), new RecordingTaskLog()))
                .isInstanceOf(ExtensionException.class)
                .hasMessage("'.miaobu/build.Dockerfile' is not a file (a link?); the build image is built only from"
                        + " a file in the repository.");
    }

    private BuildRunner forBuild(ConfigValues settings) {
        return runner.forBuild(settings, PLAN, workspace, project);
    }

    private RecordingTaskLog run(ConfigValues settings, String commandLine) throws InterruptedException {
        var log = new RecordingTaskLog();
        CommandResult result = forBuild(settings).run(spec(commandLine, Duration.ofMinutes(2)), log);
        assertThat(result.succeeded()).as(log.text()).isTrue();
        return log;
    }

    private void dockerfile(String content) throws Exception {
        Files.createDirectories(workspace.resolve(".miaobu"));
        Files.writeString(workspace.resolve(".miaobu/build.Dockerfile"), content);
    }

    private String onlyTag() {
        List<String> tags = engine.imageTagsOf(project);
        assertThat(tags).hasSize(1);
        return tags.get(0);
    }

    private List<String> layers(String tag) {
        return engine.client().inspectImageCmd(tag).exec().getRootFS().getLayers();
    }

    private CommandSpec spec(String commandLine, Duration timeout) {
        return spec(commandLine, Map.of(), timeout);
    }

    private CommandSpec spec(String commandLine, Map<String, String> environment, Duration timeout) {
        var env = new HashMap<>(environment);
        env.put("MIAOBU_PROJECT", project);
        env.put("MIAOBU_DEPLOYMENT_ID", "7");
        return CommandSpec.shell(commandLine, workspace, env, timeout);
    }
}
