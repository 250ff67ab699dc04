package io.miaobu.api.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.miaobu.api.ExtensionException;
import io.miaobu.api.build.CommandResult;
import io.miaobu.api.build.CommandSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessBuildRunnerTest {

    private final ProcessBuildRunner runner = new ProcessBuildRunner();
    private final RecordingTaskLog log = new RecordingTaskLog();

    @TempDir
    Path dir;

    @Test
    void streamsOutputAndErrorAndReportsTheExitCode() throws Exception {
        CommandResult result = runner.run(shell("echo out; echo err >&2; exit 3", Duration.ofSeconds(30)), log);

        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.timedOut()).isFalse();
        assertThat(log.lines(RecordingTaskLog.Level.OUTPUT)).contains("out", "err");
    }

    @Test
    void runsInTheWorkingDirectoryWithTheGivenEnvironment() throws Exception {
        CommandSpec spec = CommandSpec.shell("echo \"$GREETING\" > greeting.txt", dir, Map.of("GREETING", "hi"),
                Duration.ofSeconds(30));

        assertThat(runner.run(spec, log).succeeded()).isTrue();
        assertThat(Files.readString(dir.resolve("greeting.txt"))).isEqualTo("hi\n");
    }

    @Test
    void killsTheWholeProcessTreeOnTimeout() throws Exception {
        CommandResult result = runner.run(
                shell("sleep 60 & echo $! > child.pid; sleep 60", Duration.ofMillis(1500)), log);

        assertThat(result.timedOut()).isTrue();
        assertThat(result.succeeded()).isFalse();
        assertThat(isAlive(readPid())).isFalse();
    }

    @Test
    void killsTheWholeProcessTreeAndThrowsWhenInterrupted() throws Exception {
        Thread caller = Thread.currentThread();
        CompletableFuture<Void> interrupter = CompletableFuture.runAsync(() -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.exists(dir.resolve("child.pid")) && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            caller.interrupt();
        });

        try {
            assertThatThrownBy(() -> runner.run(
                    shell("sleep 60 & echo $! > child.pid.tmp; mv child.pid.tmp child.pid; sleep 60",
                            Duration.ofMinutes(1)), log))
                    .isInstanceOf(InterruptedException.class);
        } finally {
            interrupter.join();
            Thread.interrupted();
        }
        assertThat(isAlive(readPid())).isFalse();
    }

    @Test
    void throwsExtensionExceptionWhenTheProgramDoesNotExist() {
        CommandSpec spec = new CommandSpec(List.of("no-such-program-miaobu"), dir, Map.of(), Duration.ofSeconds(5));

        assertThatThrownBy(() -> runner.run(spec, log))
                .isInstanceOf(ExtensionException.class)
                .hasMessageContaining("no-such-program-miaobu");
    }

    private CommandSpec shell(String command, Duration timeout) {
        return CommandSpec.shell(command, dir, Map.of(), timeout);
    }

    private long readPid() throws Exception {
        return Long.parseLong(Files.readString(dir.resolve("child.pid")).strip());
    }

    /** Alive and not a zombie: an orphan killed in a container may wait for a reaper that never comes. */
    private static boolean isAlive(long pid) throws Exception {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        if (!Files.exists(stat)) {
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }
        String content = Files.readString(stat);
        char state = content.charAt(content.lastIndexOf(')') + 2);
        return state != 'Z' && state != 'X';
    }
}
