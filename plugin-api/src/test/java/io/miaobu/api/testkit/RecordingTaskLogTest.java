package io.miaobu.api.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.miaobu.api.testkit.RecordingTaskLog.Level;
import io.miaobu.api.testkit.RecordingTaskLog.Line;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class RecordingTaskLogTest {

    private final RecordingTaskLog log = new RecordingTaskLog();

    @Test
    void joinsOutputChunksIntoLines() {
        log.output("hel");
        log.output("lo\r\nwor");
        log.output("ld\npartial");

        assertThat(log.lines()).containsExactly(
                new Line(Level.OUTPUT, "hello"), new Line(Level.OUTPUT, "world"), new Line(Level.OUTPUT, "partial"));
    }

    @Test
    void keepsTheLevelOfEachLine() {
        log.info("step");
        log.output("out\n");
        log.warn("careful");
        log.error("broken");

        assertThat(log.lines()).extracting(Line::level)
                .containsExactly(Level.INFO, Level.OUTPUT, Level.WARN, Level.ERROR);
        assertThat(log.text()).isEqualTo("step\nout\ncareful\nbroken");
    }

    @Test
    void keepsEveryLineWrittenFromSeveralThreads() throws Exception {
        int threads = 4;
        int perThread = 500;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread writer = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    log.info("line " + i);
                }
            });
            writer.start();
            writers.add(writer);
        }
        start.countDown();
        for (Thread writer : writers) {
            writer.join();
        }

        assertThat(log.lines()).hasSize(threads * perThread);
    }
}
