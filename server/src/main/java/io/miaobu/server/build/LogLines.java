package io.miaobu.server.build;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * A stored log read line by line as the UTF-8 bytes of each line, numbered from 1, without decoding them: replaying
 * a log of millions of lines costs a scan for {@code '\n'} and a copy, and memory stays at the size of the longest
 * line. Lines end at {@code '\n'} only, as {@link BuildLogs#tail} counts them; a last line without one counts too.
 *
 * <p>Not thread-safe: one reader at a time. Closing it closes the stream.
 */
final class LogLines implements Closeable {

    private static final int BUFFER_BYTES = 64 * 1024;

    private final InputStream in;
    private byte[] buffer = new byte[BUFFER_BYTES];
    private int filled;
    private int next;
    private int lineStart;
    private int lineEnd;
    private long number;
    private boolean endOfInput;

    LogLines(InputStream in) {
        this.in = in;
    }

    /**
     * Moves to the next line.
     *
     * @return false at the end of the log
     */
    boolean next() throws IOException {
        while (true) {
            int newline = indexOfNewline(next, filled);
            if (newline >= 0) {
                return take(newline, newline + 1);
            }
            if (endOfInput) {
                return next < filled && take(filled, filled);
            }
            readMore();
        }
    }

    /** Moves past the lines up to {@code lineNumber}, or to the end of a shorter log. */
    void skipThrough(long lineNumber) throws IOException {
        while (number < lineNumber && next()) {
            // skipped
        }
    }

    /** The current line's number, counting from 1; 0 before the first {@link #next}. */
    long number() {
        return number;
    }

    /** The current line's bytes are {@code bytes()[start(), end())}; valid until the next call of {@link #next}. */
    byte[] bytes() {
        return buffer;
    }

    int start() {
        return lineStart;
    }

    int end() {
        return lineEnd;
    }

    /** The current line decoded; for tests and small uses, a replay copies the bytes instead. */
    String text() {
        return new String(buffer, lineStart, lineEnd - lineStart, StandardCharsets.UTF_8);
    }

    /** Counts the lines of a stream, as this reader numbers them. */
    static long count(InputStream in) throws IOException {
        var lines = new LogLines(in);
        while (lines.next()) {
            // counted
        }
        return lines.number();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    private boolean take(int end, int resumeAt) {
        lineStart = next;
        lineEnd = end;
        next = resumeAt;
        number++;
        return true;
    }

    private int indexOfNewline(int from, int to) {
        byte[] bytes = buffer;
        for (int i = from; i < to; i++) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** Keeps the unfinished line at the front (growing the buffer for a line longer than it) and reads on. */
    private void readMore() throws IOException {
        int kept = filled - next;
        if (next > 0) {
            System.arraycopy(buffer, next, buffer, 0, kept);
        } else if (kept == buffer.length) {
            byte[] larger = new byte[buffer.length * 2];
            System.arraycopy(buffer, 0, larger, 0, kept);
            buffer = larger;
        }
        next = 0;
        filled = kept;
        int read = in.read(buffer, filled, buffer.length - filled);
        if (read < 0) {
            endOfInput = true;
        } else {
            filled += read;
        }
    }
}
