package io.miaobu.server.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.miaobu.api.ExtensionException;
import io.miaobu.api.build.CommandResult;
import io.miaobu.api.build.CommandSpec;
import io.miaobu.api.host.TaskLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostBuildRunnerTest {

    @TempDir
    Path workspace;

    private final StringBuilder output = new StringBuilder();
    private final TaskLog log = new TaskLog() {
        public void info(String message) {
            output.append(message).append('\n');
        }

        public void warn(String message) {
            info(message);
        }

        public void error(String message) {
            info(message);
        }

        public synchronized void output(String chunk) {
            output.append(chunk);
        }
    };

    private HostBuildRunner runner;

    @BeforeEach
    void createRunner() {
        runner = new HostBuildRunner(Map.of("PATH", System.getenv("PATH"), "MIAOBU_DB_PASSWORD", "server-secret"),
                workspace.resolve("home"), workspace.resolve("processes"));
    }

    @Test
    void killsTheProcessGroupsAServerThatDiedLeftBehind() throws Exception {
        // a build the "previous server" started and never saw end: its group leader and a grandchild still run
        Path pidFile = workspace.resolve("grandchild.pid");
        Process leader = new ProcessBuilder("/usr/bin/setsid", "sh", "-c",
                "sleep 60 & echo $! > " + pidFile + "; wait").start();
        awaitFile(pidFile);
        long grandchild = Long.parseLong(Files.readString(pidFile).strip());
        Files.writeString(workspace.resolve("processes").resolve(Long.toString(leader.pid())),
                leader.toHandle().info().startInstant().orElseThrow().toString());
        // a stale entry whose pid now belongs to nobody (or someone else) is only removed
        Files.writeString(workspace.resolve("processes").resolve("999999"), "2000-01-01T00:00:00Z");

        assertThat(runner.killOrphans()).isEqualTo(1);

        assertThat(leader.onExit().get(5, TimeUnit.SECONDS).isAlive()).isFalse();
        awaitDead(grandchild);
        assertThat(Files.list(workspace.resolve("processes"))).isEmpty();
    }

    private static void awaitFile(Path file) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!(Files.exists(file) && Files.size(file) > 0) && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
        }
    }

    private static void awaitDead(long pid) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("pid %s alive", pid).isFalse();
    }

    @Test
    void streamsOutputAndReportsTheExitCode() throws Exception {
        CommandResult result = runner.run(shell("echo out; echo err >&2; exit 7", Duration.ofSeconds(20)), log);

        assertThat(result.exitCode()).isEqualTo(7);
        assertThat(result.timedOut()).isFalse();
        assertThat(output.toString()).contains("out\n").contains("err\n");
    }

    @Test
    void passesOnlyAnExplicitEnvironment() throws Exception {
        var spec = CommandSpec.shell("echo \"db=$MIAOBU_DB_PASSWORD ci=$CI home=$HOME\"", workspace,
                Map.of("CI", "true"), Duration.ofSeconds(20));

        runner.run(spec, log);

        assertThat(output.toString()).contains("db= ci=true home=" + workspace.resolve("home"));
    }

    @Test
    void killsTheWholeProcessTreeOnTimeout() throws Exception {
        Instant start = Instant.now();

        CommandResult result = runner.run(shell("sleep 4801 & sleep 4801 & wait", Duration.ofSeconds(1)), log);

        assertThat(result.timedOut()).isTrue();
        assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(15));
        assertNoProcess("sleep 4801");
    }

    @Test
    void killsWhatACommandLeftRunningInTheBackground() throws Exception {
        CommandResult result = runner.run(shell("(sleep 4802 &) ; echo done", Duration.ofSeconds(20)), log);

        assertThat(result.succeeded()).isTrue();
        assertNoProcess("sleep 4802");
    }

    @Test
    void killsTheTreeWhenTheBuildThreadIsInterrupted() throws Exception {
        var outcome = new AtomicReference<Object>();
        Thread build = new Thread(() -> {
            try {
                outcome.set(runner.run(shell("sleep 4803 & sleep 4803; wait", Duration.ofMinutes(5)), log));
            } catch (InterruptedException e) {
                outcome.set(e);
            }
        });
        build.start();
        awaitProcess("sleep 4803");

        build.interrupt();
        build.join(15_000);

        assertThat(build.isAlive()).isFalse();
        assertThat(outcome.get()).isInstanceOf(InterruptedException.class);
        assertNoProcess("sleep 4803");
    }

    @Test
    void saysClearlyWhenAProgramDoesNotExist() {
        var spec = new CommandSpec(List.of("/nonexistent/tool"), workspace, Map.of(), Duration.ofSeconds(5));

        assertThatThrownBy(() -> runner.run(spec, log)).isInstanceOf(ExtensionException.class);
    }

    private CommandSpec shell(String command, Duration timeout) {
        return CommandSpec.shell(command, workspace, Map.of(), timeout);
    }

    private static void awaitProcess(String commandLine) {
        Instant deadline = Instant.now().plusSeconds(10);
        while (Instant.now().isBefore(deadline) && !running(commandLine)) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        assertThat(running(commandLine)).as("%s started", commandLine).isTrue();
    }

    private static void assertNoProcess(String commandLine) {
        Instant deadline = Instant.now().plusSeconds(10);
        while (Instant.now().isBefore(deadline) && running(commandLine)) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        assertThat(running(commandLine)).as("%s still running", commandLine).isFalse();
    }

    private static boolean running(String commandLine) {
        return ProcessHandle.allProcesses().anyMatch(p -> p.info().commandLine()
                .map(c -> c.contains(commandLine)).orElse(false));
    }
}
