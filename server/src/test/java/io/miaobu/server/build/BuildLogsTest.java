package io.miaobu.server.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuildLogsTest {

    @TempDir
    Path logsDirectory;

    private static void write(BuildLogs logs, long id, String... lines) {
        try (LiveLog log = logs.open(id)) {
            for (String line : lines) {
                log.output(line + "\n");
            }
        }
    }

    private static String stored(BuildLogs logs, long id) throws Exception {
        var out = new ByteArrayOutputStream();
        logs.copyTo(id, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static List<String> replayed(BuildLogs logs, long id, long after) throws Exception {
        List<String> received = new ArrayList<>();
        Optional<LogLines> stored = logs.readLines(id);
        if (stored.isPresent()) {
            try (LogLines lines = stored.get()) {
                lines.skipThrough(after);
                while (lines.next()) {
                    received.add(lines.number() + ":" + lines.text());
                }
            }
        }
        return received;
    }

    @Test
    void compressesAnEndedLogToGzipAndRemovesThePlainFile() throws Exception {
        var logs = new BuildLogs(logsDirectory);
        write(logs, 7, "npm ci", "npm run build", "done ✓");

        assertThat(logs.compress(7)).isTrue();

        assertThat(logs.fileOf(7)).doesNotExist();
        assertThat(logs.compressedFileOf(7)).exists();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(logs.compressedFileOf(7)))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("npm ci\nnpm run build\ndone ✓\n");
        }
        assertThat(logs.isPlain(7)).isFalse();
        try (var leftovers = Files.list(logsDirectory.resolve("deployments"))) {
            assertThat(leftovers.map(p -> p.getFileName().toString())).containsExactly("7.log.gz");
        }
        assertThat(logs.compress(7)).as("compressing again changes nothing").isTrue();
    }

    @Test
    void readsPlainAndCompressedLogsAlike() throws Exception {
        var logs = new BuildLogs(logsDirectory);
        write(logs, 1, "one", "two", "three");
        write(logs, 2, "one", "two", "three");
        logs.compress(2);

        for (long id : new long[] {1, 2}) {
            assertThat(stored(logs, id)).as("log %s", id).isEqualTo("one\ntwo\nthree\n");
            assertThat(replayed(logs, id, 1)).as("replay of %s", id).containsExactly("2:two", "3:three");
            BuildLogs.Tail tail = logs.tail(id, 1024);
            assertThat(tail.text()).isEqualTo("one\ntwo\nthree\n");
            assertThat(tail.lines()).isEqualTo(3);
            assertThat(tail.truncated()).isFalse();
        }
    }

    @Test
    void aMissingLogReadsAsEmpty() throws Exception {
        var logs = new BuildLogs(logsDirectory);

        assertThat(stored(logs, 404)).isEmpty();
        assertThat(replayed(logs, 404, 0)).isEmpty();
        assertThat(logs.tail(404, 1024)).isEqualTo(new BuildLogs.Tail("", 0, false));
        assertThat(logs.openStored(404)).isEmpty();
        assertThat(logs.compress(404)).isFalse();
        assertThat(logs.delete(404)).isFalse();
    }

    @Test
    void theTailKeepsTheLastCompleteLinesThatFitAndCountsEveryLine() throws Exception {
        var text = new StringBuilder();
        for (int i = 1; i <= 1000; i++) {
            text.append("line ").append(i).append('\n');
        }
        text.append("half a line");
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);

        BuildLogs.Tail tail = BuildLogs.tail(new ByteArrayInputStream(bytes), 40);

        assertThat(tail.lines()).isEqualTo(1000);
        assertThat(tail.truncated()).isTrue();
        assertThat(tail.text()).endsWith("line 999\nline 1000\n").doesNotContain("half");
        assertThat(tail.text().length()).isLessThanOrEqualTo(40);
        assertThat(tail.text()).startsWith("line 99");
        // a tail as big as the log is the whole of it, up to the last complete line
        assertThat(BuildLogs.tail(new ByteArrayInputStream(bytes), bytes.length).text())
                .isEqualTo(text.substring(0, text.lastIndexOf("\n") + 1));
    }

    @Test
    void leavesALogThatIsStillBeingWrittenUncompressed() throws Exception {
        var logs = new BuildLogs(logsDirectory);
        try (LiveLog log = logs.open(3)) {
            log.output("building\n");
            assertThat(logs.compress(3)).isFalse();
            assertThat(logs.fileOf(3)).exists();
        }
        assertThat(logs.compress(3)).isTrue();
    }

    @Test
    void aLogOpenedAgainAfterCompressionContinuesItsLineNumbers() throws Exception {
        var logs = new BuildLogs(logsDirectory);
        write(logs, 5, "before the restart");
        logs.compress(5);

        write(logs, 5, "after the restart");

        assertThat(logs.compressedFileOf(5)).doesNotExist();
        assertThat(replayed(logs, 5, 0)).containsExactly("1:before the restart", "2:after the restart");
    }

    @Test
    void deletesBothFormsAndListsTheLogsThereAre() throws Exception {
        var logs = new BuildLogs(logsDirectory);
        write(logs, 10, "plain");
        write(logs, 11, "compressed");
        logs.compress(11);
        Files.writeString(logsDirectory.resolve("deployments/.11.log.gz.tmp-x"), "junk");
        Files.writeString(logsDirectory.resolve("deployments/notes.txt"), "not a log");

        assertThat(logs.storedLogIds()).containsExactly(10L, 11L);
        assertThat(logs.delete(10)).isTrue();
        assertThat(logs.delete(11)).isTrue();
        assertThat(logs.fileOf(10)).doesNotExist();
        assertThat(logs.compressedFileOf(11)).doesNotExist();
        assertThat(logs.storedLogIds()).isEmpty();
    }
}
