package io.miaobu.server.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LiveLogTest {

    @TempDir
    Path logsDirectory;

    @Test
    void joinsOutputChunksIntoLinesInTheFile() throws Exception {
        var logs = new BuildLogs(logsDirectory);
        try (LiveLog log = logs.open(1)) {
            log.output("hel");
            log.output("lo\nwor");
            log.output("ld\r\nprogress 1\rprogress 2\r");
            log.info("step");
            log.output("tail without newline");
        }

        assertThat(Files.readAllLines(logs.fileOf(1))).containsExactly("hello", "world", "progress 1",
                "progress 2", "[miaobu] step", "tail without newline");
    }

    @Test
    void masksStoredSecretsAndTokensEvenWhenTheOutputSplitsThem() throws Exception {
        String secret = "build-secret-" + java.util.UUID.randomUUID();
        io.miaobu.server.secrets.SecretRedactor.register(secret);
        var logs = new BuildLogs(logsDirectory);
        List<LogEvent> received = new CopyOnWriteArrayList<>();
        try (LiveLog log = logs.open(9)) {
            logs.follow(9, 0, received::add);
            log.output("key=" + secret.substring(0, 10));
            log.output(secret.substring(10) + " done\n");
            log.info("token mbt_" + "x".repeat(43));
        }

        assertThat(Files.readString(logs.fileOf(9))).doesNotContain(secret).doesNotContain("x".repeat(43))
                .contains("key=**** done");
        assertThat(received.toString()).doesNotContain(secret);
    }

    @Test
    void aFollowerThatJoinsMidBuildGetsEveryLineOnceThenTheEnd() {
        var logs = new BuildLogs(logsDirectory);
        List<LogEvent> received = new CopyOnWriteArrayList<>();
        try (LiveLog log = logs.open(2)) {
            log.output("one\ntwo\n");
            logs.follow(2, 0, received::add);
            log.output("three\n");
            log.status(DeploymentStatus.BUILDING);
        }

        assertThat(received).containsExactly(new LogEvent.Line(1, "one"), new LogEvent.Line(2, "two"),
                new LogEvent.Line(3, "three"), new LogEvent.Status(DeploymentStatus.BUILDING), new LogEvent.End());
    }

    @Test
    void followingAFinishedLogResumesAfterTheLastSeenLine() {
        var logs = new BuildLogs(logsDirectory);
        try (LiveLog log = logs.open(3)) {
            log.output("a\nb\nc\n");
        }
        List<LogEvent> received = new CopyOnWriteArrayList<>();

        logs.follow(3, 2, received::add);

        assertThat(received).containsExactly(new LogEvent.Line(3, "c"), new LogEvent.End());
    }

    @Test
    void aWaiterForAQueuedBuildWakesWhenItsLogOpens() throws Exception {
        var logs = new BuildLogs(logsDirectory);
        assertThat(logs.awaitActive(5, 10)).as("nobody opens it").isFalse();

        var waiter = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return logs.awaitActive(5, 30_000);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        try (LiveLog log = logs.open(5)) {
            assertThat(waiter.get(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void reopeningALogAfterARestartContinuesTheLineNumbers() {
        var logs = new BuildLogs(logsDirectory);
        try (LiveLog log = logs.open(4)) {
            log.output("before\n");
        }
        List<LogEvent> received = new CopyOnWriteArrayList<>();
        try (LiveLog log = logs.open(4)) {
            logs.follow(4, 1, received::add);
            log.output("after\n");
        }

        assertThat(received).containsExactly(new LogEvent.Line(2, "after"), new LogEvent.End());
    }
}
