package io.miaobu.plugin.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import io.miaobu.api.ExtensionException;
import io.miaobu.api.build.BuildPlan;
import io.miaobu.api.build.BuildRunner;
import io.miaobu.api.build.CommandResult;
import io.miaobu.api.build.CommandSpec;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.testkit.RecordingTaskLog;
import io.miaobu.api.testkit.TestHostInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs commands in real containers on the machine's Docker engine. */
class DockerBuildRunnerTest {

    private static final BuildPlan PLAN = new BuildPlan("static", "", "", "", ".", "");
    private static final String FOREVER = "setInterval(() => {}, 1000)";

    private static TestEngine engine;

    @TempDir
    Path temp;

    private Path workspace;
    private DockerBuildRunner runner;
    private final RecordingTaskLog log = new RecordingTaskLog();
    /** Names this test's containers: {@code io.miaobu.build=<project>/7}. */
    private final String project = "test-" + UUID.randomUUID().toString().substring(0, 8);
    private final String build = project + "/7";

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
        runner = new DockerBuildRunner(new TestHostInfo(temp.resolve("home"), "docker", "0.1.0",
                java.net.URI.create("http://localhost:8080/"), "localhost", 8080));
    }

    @Test
    void commandSeesItsEnvironmentAndTheWorkspace() throws Exception {
        Files.writeString(workspace.resolve("hello.txt"), "hello from the workspace\n");

        CommandResult result = run("echo \"greeting=$GREETING\"; cat hello.txt; pwd; echo \"home=$HOME\"",
                Map.of("GREETING", "hi from the environment"), Duration.ofMinutes(1));

        assertThat(result.succeeded()).isTrue();
        assertThat(log.lines(RecordingTaskLog.Level.OUTPUT)).containsSubsequence(
                "greeting=hi from the environment", "hello from the workspace", "/workspace", "home=/home/miaobu");
        assertThat(log.lines(RecordingTaskLog.Level.INFO).get(0))
                .startsWith("Running in Docker: image miaobu-test/node:20, user ");
    }

    @Test
    void streamsStandardErrorAndReturnsTheExitCode() throws Exception {
        CommandResult result = run("echo to-stdout; echo to-stderr >&2; exit 3", Map.of(), Duration.ofMinutes(1));

        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.timedOut()).isFalse();
        assertThat(log.lines(RecordingTaskLog.Level.OUTPUT)).contains("to-stdout", "to-stderr");
        assertThat(engine.containersOf(build)).isEmpty();
    }

    @Test
    void runsAsTheUnprivilegedBuildUser() throws Exception {
        BuildUser.Server server = BuildUser.Server.current();
        String expected = server.isRoot() ? "1000" : Long.toString(server.uid());

        run("id -u; node -e 'console.log(\"node uid \" + process.getuid())'; touch made-by-build", Map.of(),
                Duration.ofMinutes(1));

        assertThat(log.lines(RecordingTaskLog.Level.OUTPUT)).containsSubsequence(expected, "node uid " + expected);
        assertThat(expected).isNotEqualTo("0");
        assertThat(Files.getAttribute(workspace.resolve("made-by-build"), "unix:uid").toString()).isEqualTo(expected);
    }

    @Test
    void theKernelEnforcesTheMemoryAndCpuLimits() throws Exception {
        // cgroup v2 files first, then v1's
        String readLimits = "if [ -f /sys/fs/cgroup/memory.max ]; then"
                + " echo memory=$(cat /sys/fs/cgroup/memory.max); echo cpu=$(cat /sys/fs/cgroup/cpu.max);"
                + " else echo memory=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes);"
                + " echo cpu=$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us) $(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us);"
                + " fi";

        CommandResult result = runner.forBuild(TestEngine.settings("memory-mb", "256", "cpus", "0.5"), PLAN)
                .run(spec(readLimits, Map.of(), Duration.ofMinutes(1)), log);

        assertThat(result.succeeded()).isTrue();
        assertThat(log.lines(RecordingTaskLog.Level.OUTPUT)).contains("memory=" + 256L * 1024 * 1024);
        String cpu = log.lines(RecordingTaskLog.Level.OUTPUT).stream().filter(l -> l.startsWith("cpu="))
                .findFirst().orElseThrow().substring(4);
        String[] quotaAndPeriod = cpu.split(" ");
        assertThat(Double.parseDouble(quotaAndPeriod[0]) / Double.parseDouble(quotaAndPeriod[1])).isEqualTo(0.5);
    }

    @Test
    void theRunningContainerHasTheLimitsLabelsMountsAndEnvironmentButNoSecretInItsCommand() throws Exception {
        var running = runInBackground("node -e '" + FOREVER + "'", Map.of("API_TOKEN", "s3cr3t-value"),
                Duration.ofMinutes(1));
        try {
            Container container = awaitContainer();
            InspectContainerResponse inspected = engine.client().inspectContainerCmd(container.getId()).exec();

            assertThat(inspected.getState().getRunning()).isTrue();
            assertThat(inspected.getHostConfig().getMemory()).isEqualTo(512L * 1024 * 1024);
            assertThat(inspected.getHostConfig().getNanoCPUs()).isEqualTo(1_000_000_000L);
            assertThat(inspected.getHostConfig().getNetworkMode()).isEqualTo("none");
            assertThat(inspected.getHostConfig().getSecurityOpts()).contains("no-new-privileges");
            assertThat(inspected.getConfig().getUser()).doesNotStartWith("0:").isNotEqualTo("root").isNotEmpty();
            assertThat(inspected.getConfig().getLabels())
                    .containsEntry("io.miaobu.managed", "true").containsEntry("io.miaobu.build", build)
                    .containsEntry("io.miaobu.owner", runner.owner());
            assertThat(inspected.getConfig().getEnv()).contains("API_TOKEN=s3cr3t-value");
            assertThat(String.join(" ", inspected.getConfig().getEntrypoint())).doesNotContain("s3cr3t");
            assertThat(inspected.getHostConfig().getBinds()).extracting(bind -> bind.getPath() + ":"
                            + bind.getVolume().getPath())
                    .contains(workspace + ":/workspace");
        } finally {
            running.thread.interrupt();
            running.thread.join(Duration.ofSeconds(30).toMillis());
        }
    }

    @Test
    void aTimedOutCommandIsKilledAndItsContainerRemoved() throws Exception {
        CommandResult result = run("node -e '" + FOREVER + "'", Map.of(), Duration.ofSeconds(2));

        assertThat(result.timedOut()).as("%s; log: %s", result, log).isTrue();
        assertThat(result.succeeded()).isFalse();
        assertThat(engine.containersOf(build)).isEmpty();
    }

    @Test
    void cancellingKillsAndRemovesTheContainerAndThrowsInterruptedException() throws Exception {
        var running = runInBackground("echo started; node -e '" + FOREVER + "'", Map.of(), Duration.ofMinutes(5));
        awaitContainer();
        TestEngine.await("the command's first output", Duration.ofSeconds(30),
                () -> log.lines(RecordingTaskLog.Level.OUTPUT).contains("started"));

        running.thread.interrupt();
        running.thread.join(Duration.ofSeconds(30).toMillis());

        assertThat(running.thread.isAlive()).as("the runner returned after the interrupt").isFalse();
        assertThat(running.failure.get()).isInstanceOf(InterruptedException.class);
        assertThat(engine.containersOf(build)).isEmpty();
    }

    @Test
    void removesContainersLeftBehindButNotTheOnesItRuns() throws Exception {
        run("true", Map.of(), Duration.ofMinutes(1)); // the first command cleans up by itself
        String orphanBuild = "crashed-" + UUID.randomUUID().toString().substring(0, 8) + "/1";
        String orphan = engine.client().createContainerCmd(TestEngine.IMAGE)
                .withEntrypoint("node", "-e", FOREVER)
                .withUser("1000:1000")
                .withLabels(Map.of("io.miaobu.managed", "true", "io.miaobu.owner", runner.owner(),
                        "io.miaobu.build", orphanBuild))
                .exec().getId();
        engine.client().startContainerCmd(orphan).exec();
        var running = runInBackground("node -e '" + FOREVER + "'", Map.of(), Duration.ofMinutes(1));
        try {
            awaitContainer();

            int removed = runner.removeOrphans(TestEngine.settings());

            assertThat(removed).isGreaterThanOrEqualTo(1);
            assertThat(engine.containersOf(orphanBuild)).isEmpty();
            assertThat(engine.containersOf(build)).hasSize(1);
        } finally {
            running.thread.interrupt();
            running.thread.join(Duration.ofSeconds(30).toMillis());
        }
        assertThat(engine.containersOf(build)).isEmpty();
    }

    @Test
    void anotherServersContainersOnTheSameEngineAreLeftAlone() throws Exception {
        String othersBuild = "elsewhere-" + UUID.randomUUID().toString().substring(0, 8) + "/1";
        String others = engine.client().createContainerCmd(TestEngine.IMAGE)
                .withEntrypoint("node", "-e", FOREVER)
                .withLabels(Map.of("io.miaobu.managed", "true", "io.miaobu.owner", "another-server",
                        "io.miaobu.build", othersBuild))
                .exec().getId();
        try {
            runner.removeOrphans(TestEngine.settings());

            assertThat(engine.containersOf(othersBuild)).hasSize(1);
        } finally {
            engine.client().removeContainerCmd(others).withForce(true).exec();
        }
    }

    @Test
    void theFirstCommandOnAnEngineRemovesOrphans() throws Exception {
        String orphanBuild = "crashed-" + UUID.randomUUID().toString().substring(0, 8) + "/1";
        engine.client().createContainerCmd(TestEngine.IMAGE)
                .withEntrypoint("node", "-e", FOREVER)
                .withLabels(Map.of("io.miaobu.managed", "true", "io.miaobu.owner", runner.owner(),
                        "io.miaobu.build", orphanBuild))
                .exec();

        run("true", Map.of(), Duration.ofMinutes(1));

        assertThat(engine.containersOf(orphanBuild)).isEmpty();
    }

    @Test
    void anUnreachableEngineIsNamedInTheMessage() throws Exception {
        Path socket = temp.resolve("no-engine-here.sock");
        BuildRunner configured = runner.forBuild(TestEngine.settings("docker-host", "unix://" + socket), PLAN);

        assertThatThrownBy(() -> configured.run(spec("true", Map.of(), Duration.ofMinutes(1)), log))
                .isInstanceOf(ExtensionException.class)
                .hasMessageStartingWith("Docker engine at unix://" + socket + " is not reachable: ")
                .hasMessageContaining("No such file");
        assertThatThrownBy(() -> runner.removeOrphans(TestEngine.settings("docker-host", "unix://" + socket)))
                .isInstanceOf(ExtensionException.class)
                .hasMessageStartingWith("Docker engine at unix://" + socket + " is not reachable: ");
    }

    @Test
    void aMissingImageIsNotPulledUnlessAllowed() throws Exception {
        BuildRunner configured = runner.forBuild(
                TestEngine.settings("image", "miaobu-test/not-loaded:{node}"), new BuildPlan("static", "", "", "",
                        ".", "18"));

        assertThatThrownBy(() -> configured.run(spec("true", Map.of(), Duration.ofMinutes(1)), log))
                .isInstanceOf(ExtensionException.class)
                .hasMessageStartingWith("The image 'miaobu-test/not-loaded:18' is not on the Docker engine at "
                        + TestEngine.HOST + ", and pulling images is off.");
    }

    @Test
    void aFailedPullIsReportedWithTheRegistrysAnswer() throws Exception {
        // there is no registry here: the pull is tried, and fails (or runs out of time) with a clear message
        BuildRunner configured = runner.forBuild(
                TestEngine.settings("image", "miaobu-test/not-loaded:1", "pull-missing-images", "true"), PLAN);

        assertThatThrownBy(() -> configured.run(spec("true", Map.of(), Duration.ofSeconds(20)), log))
                .isInstanceOf(ExtensionException.class)
                .hasMessageStartingWith("Pulling image 'miaobu-test/not-loaded:1' ");
        assertThat(log.lines(RecordingTaskLog.Level.INFO)).contains("Pulling image miaobu-test/not-loaded:1");
        assertThat(engine.containersOf(build)).isEmpty();
    }

    @Test
    void aProgramMissingFromTheImageIsNamed() throws Exception {
        BuildRunner configured = runner.forBuild(TestEngine.settings(), PLAN);
        var spec = new CommandSpec(List.of("no-such-program", "--version"), workspace,
                Map.of("MIAOBU_PROJECT", project, "MIAOBU_DEPLOYMENT_ID", "7"), Duration.ofMinutes(1));

        assertThatThrownBy(() -> configured.run(spec, log))
                .isInstanceOf(ExtensionException.class)
                .hasMessage("The program 'no-such-program' was not found in the image 'miaobu-test/node:20'.");
        assertThat(engine.containersOf(build)).isEmpty();
    }

    @Test
    void invalidSettingsAreRefusedBeforeAnythingRuns() {
        assertThatThrownBy(() -> runner.forBuild(TestEngine.settings("user", "0"), PLAN))
                .isInstanceOf(ExtensionException.class)
                .hasMessageContaining("user: Builds never run as root");
        assertThat(runner.validate(ConfigValues.of(Map.of("network", "host")), ConfigValues.EMPTY))
                .extracting(problem -> problem.field()).containsExactly("network");
    }

    private CommandResult run(String commandLine, Map<String, String> environment, Duration timeout)
            throws InterruptedException {
        return runner.forBuild(TestEngine.settings(), PLAN).run(spec(commandLine, environment, timeout), log);
    }

    private CommandSpec spec(String commandLine, Map<String, String> environment, Duration timeout) {
        var env = new java.util.HashMap<>(environment);
        env.put("MIAOBU_PROJECT", project);
        env.put("MIAOBU_DEPLOYMENT_ID", "7");
        return CommandSpec.shell(commandLine, workspace, env, timeout);
    }

    private Container awaitContainer() throws InterruptedException {
        TestEngine.await("the build container to run", Duration.ofSeconds(30),
                () -> engine.containersOf(build).stream().anyMatch(c -> "running".equals(c.getState())));
        return engine.containersOf(build).get(0);
    }

    private Background runInBackground(String commandLine, Map<String, String> environment, Duration timeout) {
        var failure = new AtomicReference<Throwable>();
        var result = new CompletableFuture<CommandResult>();
        Thread thread = new Thread(() -> {
            try {
                result.complete(run(commandLine, environment, timeout));
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "docker-test-build");
        thread.start();
        return new Background(thread, failure, result);
    }

    private record Background(Thread thread, AtomicReference<Throwable> failure,
                              CompletableFuture<CommandResult> result) {
    }
}
