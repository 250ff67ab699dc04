package io.miaobu.server.build;

import io.miaobu.api.host.TaskLog;
import io.miaobu.server.secrets.SecretRedactor;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The log of a running build: joins output chunks into lines, appends them to the file, and passes each line to the
 * followers. Writing and subscribing share one lock, so a follower that joins mid-build gets every line exactly once:
 * the ones before it joined from the file, the others from {@link #subscribe}.
 */
public final class LiveLog implements TaskLog, AutoCloseable {

    private static final int MAX_LINE_CHARS = 16 * 1024;

    private final Path file;
    private final Runnable onClose;
    private final BufferedWriter writer;
    private final List<Consumer<LogEvent>> followers = new CopyOnWriteArrayList<>();
    private final StringBuilder partial = new StringBuilder();
    private long lineCount;
    private boolean closed;

    LiveLog(Path file, Runnable onClose) {
        this.file = file;
        this.onClose = onClose;
        try {
            this.lineCount = countLines(file);
            this.writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file, e);
        }
    }

    @Override
    public void info(String message) {
        message("[miaobu] ", message);
    }

    @Override
    public void warn(String message) {
        message("[miaobu] WARNING: ", message);
    }

    @Override
    public void error(String message) {
        message("[miaobu] ERROR: ", message);
    }

    private synchronized void message(String prefix, String message) {
        flushPartial();
        for (String line : String.valueOf(message).split("\r?\n", -1)) {
            writeLine(prefix + line);
        }
        flushWriter();
    }

    @Override
    public synchronized void output(String chunk) {
        for (int i = 0; i < chunk.length(); i++) {
            char c = chunk.charAt(i);
            if (c == '\n') {
                writeLine(partial.toString());
                partial.setLength(0);
            } else if (c == '\r') {
                boolean crlf = i + 1 < chunk.length() && chunk.charAt(i + 1) == '\n';
                if (!crlf && partial.length() > 0) {
                    // a progress bar redrawing its line: keep each state as a line
                    writeLine(partial.toString());
                    partial.setLength(0);
                }
            } else {
                partial.append(c);
                if (partial.length() >= MAX_LINE_CHARS) {
                    writeLine(partial.toString());
                    partial.setLength(0);
                }
            }
        }
        flushWriter();
    }

    /** Tells followers about a status change (not written to the file), in order with the lines around it. */
    public synchronized void status(DeploymentStatus status) {
        var event = new LogEvent.Status(status);
        followers.forEach(f -> f.accept(event));
    }

    /**
     * Starts passing every later line, status change and finally {@link LogEvent.End} to {@code follower}, on the
     * thread that writes them and under this log's lock, so it must not block. The lines written before are all in the
     * file when this returns, and {@link Subscription#linesInFile()} says how many there are: together they are every
     * line exactly once.
     *
     * @return empty when the log is closed already
     */
    synchronized Optional<Subscription> subscribe(Consumer<LogEvent> follower) {
        if (closed) {
            return Optional.empty();
        }
        flushWriter();
        followers.add(follower);
        return Optional.of(new Subscription(lineCount, () -> followers.remove(follower)));
    }

    /**
     * A follower of a running log.
     *
     * @param linesInFile how many lines the file had when it joined; the follower gets the ones after
     * @param cancel      stops following; may be run on any thread, also by the follower while it is called
     */
    record Subscription(long linesInFile, Runnable cancel) {
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        flushPartial();
        closed = true;
        try {
            writer.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + file, e);
        } finally {
            onClose.run();
            var end = new LogEvent.End();
            followers.forEach(f -> f.accept(end));
            followers.clear();
        }
    }

    private void flushPartial() {
        if (partial.length() > 0) {
            writeLine(partial.toString());
            partial.setLength(0);
        }
    }

    private void writeLine(String raw) {
        if (closed) {
            return;
        }
        // stored secrets and token-shaped strings never reach the file or a follower; output is cut into whole lines
        // first, so a secret written in two chunks is still one string here
        String line = SecretRedactor.redact(raw);
        try {
            writer.write(line);
            writer.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        lineCount++;
        var event = new LogEvent.Line(lineCount, line);
        followers.forEach(f -> f.accept(event));
    }

    private void flushWriter() {
        try {
            writer.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static long countLines(Path file) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        try (InputStream in = Files.newInputStream(file)) {
            return LogLines.count(in);
        }
    }
}
