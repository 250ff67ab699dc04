package io.miaobu.api.testkit;

import io.miaobu.api.host.TaskLog;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A {@link TaskLog} that keeps every line in memory, for assertions in tests.
 *
 * <p>Thread-safe, like the host's log: a runner may write standard output and error from two threads at once.
 * {@link #output} chunks are joined into lines at {@code \n} (a trailing {@code \r} is dropped), as the host's log does;
 * a chunk without a final newline stays pending and is still shown by {@link #lines()} and {@link #text()}. Nothing is
 * masked.
 */
public final class RecordingTaskLog implements TaskLog {

    /** The kind of a line, matching the {@link TaskLog} method that wrote it. */
    public enum Level { INFO, WARN, ERROR, OUTPUT }

    /**
     * One line of the log.
     *
     * @param level which method wrote it
     * @param text  the line, without line terminator
     */
    public record Line(Level level, String text) {
        @Override
        public String toString() {
            return level + " " + text;
        }
    }

    private final List<Line> lines = new ArrayList<>();
    private final StringBuilder pendingOutput = new StringBuilder();

    /** Creates an empty log. */
    public RecordingTaskLog() {
    }

    @Override
    public void info(String message) {
        add(Level.INFO, message);
    }

    @Override
    public void warn(String message) {
        add(Level.WARN, message);
    }

    @Override
    public void error(String message) {
        add(Level.ERROR, message);
    }

    @Override
    public synchronized void output(String chunk) {
        for (int i = 0; i < chunk.length(); i++) {
            char c = chunk.charAt(i);
            if (c == '\n') {
                flushPendingOutput();
            } else {
                pendingOutput.append(c);
            }
        }
    }

    /** A snapshot of the lines written so far, in order, including a pending output line without newline. */
    public synchronized List<Line> lines() {
        List<Line> snapshot = new ArrayList<>(lines);
        if (pendingOutput.length() > 0) {
            snapshot.add(new Line(Level.OUTPUT, stripCr(pendingOutput.toString())));
        }
        return List.copyOf(snapshot);
    }

    /** The texts of the lines of one level, in order. */
    public List<String> lines(Level level) {
        return lines().stream().filter(l -> l.level() == level).map(Line::text).collect(Collectors.toList());
    }

    /** All lines' texts joined with {@code \n}, without levels: convenient for {@code contains} assertions. */
    public String text() {
        return lines().stream().map(Line::text).collect(Collectors.joining("\n"));
    }

    private synchronized void add(Level level, String message) {
        // a step message ends any partial command output, as it would on the build page
        if (pendingOutput.length() > 0) {
            flushPendingOutput();
        }
        for (String line : String.valueOf(message).split("\n", -1)) {
            lines.add(new Line(level, stripCr(line)));
        }
    }

    private void flushPendingOutput() {
        lines.add(new Line(Level.OUTPUT, stripCr(pendingOutput.toString())));
        pendingOutput.setLength(0);
    }

    private static String stripCr(String line) {
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }

    @Override
    public String toString() {
        return text();
    }
}
