package io.miaobu.api.testkit;

import io.miaobu.api.ExtensionException;
import io.miaobu.api.build.BuildRunner;
import io.miaobu.api.build.CommandResult;
import io.miaobu.api.build.CommandSpec;
import io.miaobu.api.host.TaskLog;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link BuildRunner} for tests that runs each command as a child process of the test JVM, much like the core's
 * {@code host} runner.
 *
 * <p>The process inherits the JVM's environment plus {@link CommandSpec#environment()}, gets an empty standard input,
 * and has its standard output and error merged and streamed into the log as they arrive. On timeout it kills the
 * process and its descendants and returns a result with {@link CommandResult#timedOut()} set; when the calling thread
 * is interrupted it kills them the same way and throws {@link InterruptedException}. Descendants that outlive their
 * parent are found by sampling {@link ProcessHandle#descendants()} while the command runs (every 100 ms), so a
 * background process that lived at least that long is killed too when the command ends.
 *
 * <p>Stateless and thread-safe; one instance may run commands for several tests at once. Not meant for production:
 * it has no resource limits and no output size limit.
 */
public final class ProcessBuildRunner implements BuildRunner {

    private static final long SAMPLE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final Duration KILL_WAIT = Duration.ofSeconds(10);

    /** Creates a runner. */
    public ProcessBuildRunner() {
    }

    /** {@code test-process}. */
    @Override
    public String id() {
        return "test-process";
    }

    /** {@code Child process (tests)}. */
    @Override
    public String displayName() {
        return "Child process (tests)";
    }

    /**
     * Runs the command to its end, its timeout, or the calling thread's interruption.
     *
     * @throws ExtensionException   when the program cannot be started (for example it does not exist)
     * @throws InterruptedException when the calling thread was interrupted; the process tree has been killed
     */
    @Override
    public CommandResult run(CommandSpec command, TaskLog log) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("interrupted before starting " + command.argv().get(0));
        }
        ProcessBuilder builder = new ProcessBuilder(command.argv())
                .directory(command.workingDirectory().toFile())
                .redirectErrorStream(true);
        builder.environment().putAll(command.environment());
        long start = System.nanoTime();
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new ExtensionException("Could not start " + command.argv().get(0) + ": " + e.getMessage(), e);
        }
        closeQuietly(process);
        Thread pump = new Thread(() -> pump(process.getInputStream(), log), "process-output-" + process.pid());
        pump.setDaemon(true);
        pump.start();

        Set<ProcessHandle> seen = new LinkedHashSet<>();
        long deadline = start + command.timeout().toNanos();
        try {
            while (true) {
                process.descendants().forEach(seen::add);
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    killTree(process.toHandle(), seen);
                    joinQuietly(pump);
                    log.warn("Timed out after " + command.timeout() + "; the process and its children were killed.");
                    return new CommandResult(-1, true, Duration.ofNanos(System.nanoTime() - start));
                }
                if (process.waitFor(Math.min(left, SAMPLE_NANOS), TimeUnit.NANOSECONDS)) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            killTree(process.toHandle(), seen);
            joinQuietly(pump);
            throw e;
        }
        // the command has exited; what it left behind in the background must not outlive it
        killTree(process.toHandle(), seen);
        joinQuietly(pump);
        return new CommandResult(process.exitValue(), false, Duration.ofNanos(System.nanoTime() - start));
    }

    private static void pump(InputStream stream, TaskLog log) {
        char[] buffer = new char[8192];
        try (Reader reader = new InputStreamReader(stream, StandardCharsets.UTF_8)) {
            int n;
            while ((n = reader.read(buffer)) != -1) {
                log.output(new String(buffer, 0, n));
            }
        } catch (IOException e) {
            // the stream closes when the process is killed; nothing more to read
        }
    }

    /**
     * Kills {@code root}, its current descendants and those seen earlier, until none is alive or the wait runs out.
     * Repeated because a dying parent may still fork.
     */
    private static void killTree(ProcessHandle root, Set<ProcessHandle> seen) {
        boolean interrupted = false;
        long deadline = System.nanoTime() + KILL_WAIT.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                List<ProcessHandle> targets = new ArrayList<>();
                root.descendants().forEach(targets::add);
                targets.addAll(seen);
                targets.add(root);
                targets.removeIf(p -> !p.isAlive());
                if (targets.isEmpty()) {
                    return;
                }
                targets.forEach(ProcessHandle::destroyForcibly);
                for (ProcessHandle target : targets) {
                    try {
                        target.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    } catch (InterruptedException e) {
                        // finish killing first; the flag is restored below
                        interrupted = true;
                    } catch (ExecutionException | TimeoutException e) {
                        // the next round kills again
                    }
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void joinQuietly(Thread pump) {
        boolean interrupted = Thread.interrupted();
        try {
            pump.join(KILL_WAIT.toMillis());
        } catch (InterruptedException e) {
            interrupted = true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void closeQuietly(Process process) {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // the process may already be gone; it gets no input either way
        }
    }
}
