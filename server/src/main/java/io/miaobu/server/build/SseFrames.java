package io.miaobu.server.build;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A batch of Server-Sent Events in the {@code text/event-stream} format, encoded straight to UTF-8 bytes: many events
 * are written to the client as one chunk, with one flush, instead of one write and flush per event.
 *
 * <ul>
 *   <li>{@code line}: id = the line number; an empty line is sent as one space, since an event without data is
 *       never dispatched and its id would not count. A carriage return inside a line would end the field, so it
 *       starts a new {@code data:} field instead (the client joins them with a newline); so would a newline, which a
 *       stored line never has.</li>
 *   <li>{@code status}: the status name; {@code end}: {@code end}; a comment: {@code : text}.</li>
 * </ul>
 * Not thread-safe.
 */
final class SseFrames {

    private static final byte[] LINE_HEAD = ascii("event: line\nid: ");
    private static final byte[] DATA = ascii("\ndata: ");
    private static final byte[] EVENT_END = ascii("\n\n");
    private static final byte[] STATUS_HEAD = ascii("event: status\ndata: ");
    private static final byte[] END = ascii("event: end\ndata: end\n\n");

    private byte[] bytes;
    private int size;
    private int events;

    SseFrames(int initialBytes) {
        this.bytes = new byte[Math.max(64, initialBytes)];
    }

    /** A {@code line} event from the UTF-8 bytes {@code text[from, to)} of a stored line (without its newline). */
    void line(long number, byte[] text, int from, int to) {
        ensure(LINE_HEAD.length + 20 + DATA.length + (to - from) + EVENT_END.length + 1);
        put(LINE_HEAD);
        putNumber(number);
        put(DATA);
        if (from == to) {
            bytes[size++] = ' ';
        }
        int start = from;
        for (int i = from; i < to; i++) {
            if (text[i] == '\r' || text[i] == '\n') {
                put(text, start, i);
                ensure(DATA.length + (to - i));
                put(DATA);
                start = i + 1;
            }
        }
        put(text, start, to);
        put(EVENT_END);
        events++;
    }

    void line(LogEvent.Line line) {
        byte[] text = line.text().getBytes(StandardCharsets.UTF_8);
        line(line.number(), text, 0, text.length);
    }

    void status(DeploymentStatus status) {
        byte[] name = ascii(status.name());
        ensure(STATUS_HEAD.length + name.length + EVENT_END.length);
        put(STATUS_HEAD);
        put(name);
        put(EVENT_END);
        events++;
    }

    void end() {
        ensure(END.length);
        put(END);
        events++;
    }

    /** A comment line, which clients ignore: a keep-alive. */
    void comment(String text) {
        byte[] encoded = (": " + text.replace('\n', ' ').replace('\r', ' ') + "\n\n")
                .getBytes(StandardCharsets.UTF_8);
        ensure(encoded.length);
        put(encoded);
    }

    void add(LogEvent event) {
        if (event instanceof LogEvent.Line line) {
            line(line);
        } else if (event instanceof LogEvent.Status status) {
            status(status.status());
        } else {
            end();
        }
    }

    /** Bytes encoded so far. */
    int size() {
        return size;
    }

    /** Events encoded so far (comments do not count). */
    int events() {
        return events;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** A copy of the bytes, to hand to the client's connection, which may keep it queued. */
    byte[] toByteArray() {
        return Arrays.copyOf(bytes, size);
    }

    void clear() {
        size = 0;
        events = 0;
    }

    /** Empties it and lets go of a buffer grown past {@code maxBytes}: a client that caught up needs little. */
    void clearAndShrink(int maxBytes) {
        clear();
        if (bytes.length > maxBytes) {
            bytes = new byte[maxBytes];
        }
    }

    private void putNumber(long number) {
        String digits = Long.toString(number);
        for (int i = 0; i < digits.length(); i++) {
            bytes[size++] = (byte) digits.charAt(i);
        }
    }

    private void put(byte[] part) {
        System.arraycopy(part, 0, bytes, size, part.length);
        size += part.length;
    }

    private void put(byte[] source, int from, int to) {
        System.arraycopy(source, from, bytes, size, to - from);
        size += to - from;
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
