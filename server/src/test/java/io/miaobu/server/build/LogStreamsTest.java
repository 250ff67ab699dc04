package io.miaobu.server.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogStreamsTest {

    private static final Duration LIMIT = Duration.ofSeconds(30);
    private static final LogStreams.Limits SMALL = new LogStreams.Limits(2, Duration.ofMillis(300),
            Duration.ofMillis(20), Duration.ofMillis(500), 50, 10_000, 1024, 4096);

    @TempDir
    Path logsDirectory;

    private final Map<Long, DeploymentStatus> statuses = new ConcurrentHashMap<>();
    private BuildLogs logs;
    private LogStreams streams;

    @BeforeEach
    void start() {
        logs = new BuildLogs(logsDirectory);
        streams = new LogStreams(logs, id -> Optional.ofNullable(statuses.get(id)), SMALL);
        streams.start();
    }

    @AfterEach
    void stop() throws Exception {
        streams.stop();
    }

    @Test
    void replaysAnEndedCompressedLogInBatchesThenEnds() throws Exception {
        writeEndedLog(1, 10_000);
        logs.compress(1);
        var client = new RecordingSink(false);

        streams.open(1, 0, client);

        client.awaitClosed();
        List<String> events = client.events();
        assertThat(events).hasSize(10_001);
        assertThat(events.get(0)).isEqualTo("line 1 line number 1");
        assertThat(events.get(9_999)).isEqualTo("line 10000 line number 10000");
        assertThat(events.get(10_000)).isEqualTo("end");
        assertThat(numbersOfLines(events)).isEqualTo(range(1, 10_000));
        assertThat(client.writes.get()).as("events per write and flush").isLessThan(10_000 / 10);
        assertThat(client.aborted.getCount()).as("ended normally").isEqualTo(1);
        awaitThat(() -> streams.clientCount() == 0, "the client is forgotten");
    }

    @Test
    void startsAfterTheLineTheClientSawLast() throws Exception {
        writeEndedLog(2, 100);
        var client = new RecordingSink(false);

        streams.open(2, 97, client);

        client.awaitClosed();
        assertThat(client.events()).containsExactly("line 98 line number 98", "line 99 line number 99",
                "line 100 line number 100", "end");
    }

    @Test
    void aClientThatJoinsARunningBuildGetsEveryLineOnceInOrder() throws Exception {
        var client = new RecordingSink(false);
        try (LiveLog log = logs.open(3)) {
            for (int i = 1; i <= 500; i++) {
                log.output("line number " + i + "\n");
            }
            streams.open(3, 100, client);
            for (int i = 501; i <= 520; i++) {
                log.output("line number " + i + "\n");
                if (i == 510) {
                    log.status(DeploymentStatus.UPLOADING);
                }
            }
        }

        client.awaitClosed();
        List<String> events = client.events();
        assertThat(numbersOfLines(events)).isEqualTo(range(101, 520));
        assertThat(events.subList(events.size() - 13, events.size())).startsWith("line 510 line number 510",
                "status UPLOADING", "line 511 line number 511").endsWith("line 520 line number 520", "end");
    }

    @Test
    void theBuildNeverWaitsForAClientThatStoppedReadingWhichIsLetGoWhileTheOthersGoOn() throws Exception {
        var stalled = new RecordingSink(true);
        var reading = new RecordingSink(false);
        try (LiveLog log = logs.open(4)) {
            streams.open(4, 0, stalled);
            streams.open(4, 0, reading);
            for (int burst = 0; burst < 10; burst++) {
                for (int i = 1; i <= 20; i++) {
                    log.output("line number " + (burst * 20 + i) + "\n");
                }
                int linesSoFar = (burst + 1) * 20;
                // the bursts go as fast as the reading client takes them, never waiting for the stalled one
                awaitThat(() -> numbersOfLines(reading.events()).size() == linesSoFar, "the reading client keeps up");
            }
            assertThat(stalled.writeStarted.await(LIMIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(stalled.aborted.await(LIMIT.toSeconds(), TimeUnit.SECONDS))
                    .as("the client that stopped reading is disconnected").isTrue();
        }

        reading.awaitClosed();
        assertThat(numbersOfLines(reading.events())).isEqualTo(range(1, 200));
        assertThat(reading.events()).last().isEqualTo("end");
        assertThat(stalled.events()).doesNotContain("end");
        awaitThat(() -> streams.clientCount() == 0, "both clients are forgotten");
    }

    @Test
    void aWriteThatDoesNotMoveIsAbortedEvenWhenTheBuildIsQuiet() throws Exception {
        var stalled = new RecordingSink(true);
        try (LiveLog log = logs.open(5)) {
            log.output("just one line\n");
            streams.open(5, 0, stalled);

            assertThat(stalled.aborted.await(LIMIT.toSeconds(), TimeUnit.SECONDS)).as("let go after 500 ms").isTrue();
            awaitThat(() -> streams.clientCount() == 0, "the client is forgotten");
        }
    }

    @Test
    void sendsAKeepAliveWhenNothingHappens() throws Exception {
        var client = new RecordingSink(false);
        try (LiveLog log = logs.open(6)) {
            log.output("started\n");
            streams.open(6, 1, client);

            awaitThat(() -> client.text().contains(": keep-alive\n\n"), "a keep-alive comment");
            assertThat(client.events()).as("comments are no events").isEmpty();
        }
        client.awaitClosed();
        assertThat(client.events()).containsExactly("end");
    }

    @Test
    void aClientOfAQueuedDeploymentGetsItsStatusThenFollowsTheBuildOnceItStarts() throws Exception {
        statuses.put(7L, DeploymentStatus.QUEUED);
        var client = new RecordingSink(false);

        streams.open(7, 0, client);

        awaitThat(() -> client.events().contains("status QUEUED"), "the status while queued");
        awaitThat(() -> client.events().size() >= 2, "the status again as the keep-alive");
        statuses.put(7L, DeploymentStatus.CLONING);
        try (LiveLog log = logs.open(7)) {
            log.output("cloning\n");
            awaitThat(() -> client.events().contains("line 1 cloning"), "the first line");
            log.status(DeploymentStatus.BUILDING);
            log.output("building\n");
            statuses.put(7L, DeploymentStatus.LIVE);
        }
        client.awaitClosed();
        List<String> events = client.events();
        assertThat(events).containsSubsequence("status QUEUED", "line 1 cloning", "status BUILDING",
                "line 2 building", "end");
        assertThat(events.stream().filter(e -> e.startsWith("line"))).hasSize(2);
        assertThat(events.stream().filter(e -> !e.equals("status QUEUED")).toList().get(0))
                .as("nothing else before the log").isIn("status CLONING", "line 1 cloning");
    }

    @Test
    void aClientOfADeploymentCancelledWhileQueuedGetsTheEnd() throws Exception {
        statuses.put(8L, DeploymentStatus.QUEUED);
        var client = new RecordingSink(false);
        streams.open(8, 0, client);
        awaitThat(() -> client.events().contains("status QUEUED"), "the status while queued");

        statuses.put(8L, DeploymentStatus.CANCELLED);

        client.awaitClosed();
        assertThat(client.events()).last().isEqualTo("end");
        assertThat(client.events()).doesNotContain("status CANCELLED");
    }

    @Test
    void stoppingLetsEveryClientGo() throws Exception {
        statuses.put(9L, DeploymentStatus.QUEUED);
        var client = new RecordingSink(false);
        streams.open(9, 0, client);
        awaitThat(() -> client.events().contains("status QUEUED"), "the status while queued");

        streams.stop();

        assertThat(client.aborted.await(LIMIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(streams.clientCount()).isZero();
    }

    private void writeEndedLog(long id, int lines) {
        try (LiveLog log = logs.open(id)) {
            var text = new StringBuilder();
            for (int i = 1; i <= lines; i++) {
                text.append("line number ").append(i).append('\n');
            }
            log.output(text.toString());
        }
    }

    /** The numbers of the "line N …" events, in the order they came. */
    private static List<Long> numbersOfLines(List<String> events) {
        return events.stream().filter(e -> e.startsWith("line ")).map(e -> Long.parseLong(e.split(" ")[1])).toList();
    }

    private static List<Long> range(long first, long last) {
        List<Long> numbers = new ArrayList<>();
        for (long n = first; n <= last; n++) {
            numbers.add(n);
        }
        return numbers;
    }

    private static void awaitThat(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + LIMIT + ": " + what);
            }
            LockSupport.parkNanos(5_000_000);
        }
    }

    /**
     * A client's connection that keeps what it is sent; a stalled one blocks in its first write until it is aborted,
     * as a socket whose reader stopped reading.
     */
    private static final class RecordingSink implements EventStreamSink {

        final CountDownLatch closed = new CountDownLatch(1);
        final CountDownLatch aborted = new CountDownLatch(1);
        final CountDownLatch writeStarted = new CountDownLatch(1);
        final AtomicInteger writes = new AtomicInteger();
        private final boolean stalled;
        private final StringBuilder received = new StringBuilder();

        RecordingSink(boolean stalled) {
            this.stalled = stalled;
        }

        @Override
        public void write(byte[] frames) throws IOException {
            if (aborted.getCount() == 0) {
                throw new IOException("aborted");
            }
            writes.incrementAndGet();
            writeStarted.countDown();
            if (stalled) {
                try {
                    aborted.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new IOException("aborted");
            }
            synchronized (received) {
                received.append(new String(frames, StandardCharsets.UTF_8));
            }
        }

        @Override
        public void close() {
            closed.countDown();
        }

        @Override
        public void abort() {
            aborted.countDown();
        }

        String text() {
            synchronized (received) {
                return received.toString();
            }
        }

        /** The events received, each as "line N text", "status S" or "end". */
        List<String> events() {
            List<String> events = new ArrayList<>();
            for (String block : text().split("\n\n")) {
                String name = null;
                String id = null;
                String data = null;
                for (String field : block.split("\n")) {
                    if (field.startsWith("event: ")) {
                        name = field.substring(7);
                    } else if (field.startsWith("id: ")) {
                        id = field.substring(4);
                    } else if (field.startsWith("data: ")) {
                        data = field.substring(6);
                    }
                }
                if (name != null) {
                    events.add(name.equals("line") ? "line " + id + " " + data
                            : name.equals("status") ? "status " + data : name);
                }
            }
            return events;
        }

        void awaitClosed() throws InterruptedException {
            assertThat(closed.await(LIMIT.toSeconds(), TimeUnit.SECONDS)).as("the stream was closed").isTrue();
        }
    }
}
