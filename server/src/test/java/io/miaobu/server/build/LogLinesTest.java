package io.miaobu.server.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class LogLinesTest {

    private static LogLines linesOf(String text) {
        return new LogLines(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<String> readAll(LogLines lines) throws IOException {
        List<String> read = new ArrayList<>();
        while (lines.next()) {
            read.add(lines.number() + ":" + lines.text());
        }
        return read;
    }

    @Test
    void splitsAtNewlinesOnlyAndCountsALastLineWithoutOne() throws Exception {
        assertThat(readAll(linesOf("one\ntwo\r\n\nhalf a \r line\nlast")))
                .containsExactly("1:one", "2:two\r", "3:", "4:half a \r line", "5:last");
        assertThat(readAll(linesOf(""))).isEmpty();
        assertThat(readAll(linesOf("\n"))).containsExactly("1:");
    }

    @Test
    void readsLinesLongerThanItsBufferWhole() throws Exception {
        String longLine = "ä".repeat(100_000);

        assertThat(readAll(linesOf("short\n" + longLine + "\nafter\n")))
                .containsExactly("1:short", "2:" + longLine, "3:after");
    }

    @Test
    void givesTheBytesOfALineAsStored() throws Exception {
        var lines = linesOf("x\ndone ✓\n");
        lines.next();
        lines.next();

        byte[] bytes = java.util.Arrays.copyOfRange(lines.bytes(), lines.start(), lines.end());
        assertThat(bytes).isEqualTo("done ✓".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void skipsToAfterALineOrToTheEndOfAShorterLog() throws Exception {
        var text = new StringBuilder();
        for (int i = 1; i <= 200_000; i++) {
            text.append("line ").append(i).append('\n');
        }
        var lines = linesOf(text.toString());

        lines.skipThrough(199_998);
        assertThat(readAll(lines)).containsExactly("199999:line 199999", "200000:line 200000");

        var shorter = linesOf("a\nb\n");
        shorter.skipThrough(10);
        assertThat(shorter.next()).isFalse();
        assertThat(shorter.number()).isEqualTo(2);
    }

    @Test
    void readsAGzipStreamAndCountsLikeItReads() throws Exception {
        var compressed = new ByteArrayOutputStream();
        try (var out = new GZIPOutputStream(compressed)) {
            out.write("1\n2\n3\n".repeat(50_000).getBytes(StandardCharsets.UTF_8));
        }

        assertThat(LogLines.count(new GZIPInputStream(new ByteArrayInputStream(compressed.toByteArray()))))
                .isEqualTo(150_000);
        assertThat(LogLines.count(new ByteArrayInputStream("a\nb".getBytes(StandardCharsets.UTF_8)))).isEqualTo(2);
    }
}
