package io.miaobu.server.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SseFramesTest {

    private static String text(SseFrames frames) {
        return new String(frames.toByteArray(), StandardCharsets.UTF_8);
    }

    @Test
    void encodesLinesStatusesTheEndAndCommentsAsTextEventStream() {
        var frames = new SseFrames(16);

        frames.add(new LogEvent.Line(1, "npm ci ✓"));
        frames.add(new LogEvent.Status(DeploymentStatus.BUILDING));
        frames.comment("keep-alive");
        frames.add(new LogEvent.End());

        assertThat(text(frames)).isEqualTo("""
                event: line
                id: 1
                data: npm ci ✓

                event: status
                data: BUILDING

                : keep-alive

                event: end
                data: end

                """);
        assertThat(frames.events()).as("comments are not events").isEqualTo(3);
    }

    @Test
    void sendsAnEmptyLineAsOneSpaceSoThatItIsDispatched() {
        var frames = new SseFrames(64);

        frames.line(7, new byte[0], 0, 0);

        assertThat(text(frames)).isEqualTo("event: line\nid: 7\ndata:  \n\n");
    }

    @Test
    void aCarriageReturnInALineStartsAnotherDataFieldInsteadOfEndingTheEvent() {
        var frames = new SseFrames(64);
        byte[] stored = "  50%\r100%".getBytes(StandardCharsets.UTF_8);

        frames.line(3, stored, 0, stored.length);

        assertThat(text(frames)).isEqualTo("event: line\nid: 3\ndata:   50%\ndata: 100%\n\n");
    }

    @Test
    void encodesAPartOfABufferAndGrowsPastItsFirstSize() {
        var frames = new SseFrames(64);
        byte[] buffer = "xxhello worldxx".getBytes(StandardCharsets.UTF_8);

        for (int i = 1; i <= 1000; i++) {
            frames.line(i, buffer, 2, 13);
        }

        assertThat(text(frames)).startsWith("event: line\nid: 1\ndata: hello world\n\n")
                .endsWith("event: line\nid: 1000\ndata: hello world\n\n");
        assertThat(frames.events()).isEqualTo(1000);
        frames.clear();
        assertThat(frames.isEmpty()).isTrue();
    }
}
