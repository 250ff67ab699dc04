package io.miaobu.server.build;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Build logs: one UTF-8 text file per deployment in {@code MIAOBU_HOME/logs/deployments}, one line per log line, never
 * database rows. Logs being written are also fanned out to followers (the live log page and the API's SSE stream).
 */
public final class BuildLogs {

    private final Path directory;
    private final Map<Long, LiveLog> active = new ConcurrentHashMap<>();
    private final Object opened = new Object();

    public BuildLogs(Path logsDirectory) {
        this.directory = logsDirectory.resolve("deployments");
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + directory, e);
        }
    }

    /** Opens the log of a deployment for writing (appending, after a restart). Close it when the build ends. */
    public LiveLog open(long deploymentId) {
        LiveLog log = active.computeIfAbsent(deploymentId,
                id -> new LiveLog(fileOf(id), () -> active.remove(id)));
        synchronized (opened) {
            opened.notifyAll();
        }
        return log;
    }

    /**
     * Waits until a build opens the log of this deployment, or {@code millis} pass.
     *
     * @return whether the log is being written now
     */
    public boolean awaitActive(long deploymentId, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        synchronized (opened) {
            while (!active.containsKey(deploymentId)) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return false;
                }
                opened.wait(left);
            }
        }
        return true;
    }

    public Path fileOf(long deploymentId) {
        return directory.resolve(deploymentId + ".log");
    }

    /**
     * Sends {@code listener} every line after {@code afterLine}, then, while the log is being written, each new line
     * and status as it happens, and finally {@link LogEvent.End}. Returns a handle to stop following.
     */
    public AutoCloseable follow(long deploymentId, long afterLine, Consumer<LogEvent> listener) {
        LiveLog live = active.get(deploymentId);
        if (live != null) {
            AutoCloseable subscription = live.follow(afterLine, listener);
            if (subscription != null) {
                return subscription;
            }
        }
        replay(fileOf(deploymentId), afterLine, listener);
        listener.accept(new LogEvent.End());
        return () -> { };
    }

    /** Whether a build is writing this log now. */
    public boolean isActive(long deploymentId) {
        return active.containsKey(deploymentId);
    }

    public void delete(long deploymentId) {
        try {
            Files.deleteIfExists(fileOf(deploymentId));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static long replay(Path file, long afterLine, Consumer<LogEvent> listener) {
        if (!Files.exists(file)) {
            return 0;
        }
        long number = 0;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null) {
                number++;
                if (number > afterLine) {
                    listener.accept(new LogEvent.Line(number, line));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return number;
    }
}
