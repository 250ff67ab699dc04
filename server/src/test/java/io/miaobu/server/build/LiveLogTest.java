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
            logs.subscribe(9, received::add).orElseThrow();
            log.output("key=" + secret.substring(0, 10));
            log.output(secret.substring(10) + " done\n");
            log.info("token mbt_" + "x".repeat(43));
        }

        assertThat(Files.readString(logs.fileOf(9))).doesNotContain(secret).doesNotContain("x".repeat(43))
                .contains("key=**** done");
        assertThat(received.toString()).doesNotContain(secret);
    }

    @Test
    void aFollowerThatJoinsMidBuildGetsTheLaterLinesAndFindsTheEarlierOnesInTheFile() throws Exception {
        var logs = new BuildLogs(logsDirectory);
        List<LogEvent> received = new CopyOnWriteArrayList<>();
        LiveLog.Subscription subscription;
        try (LiveLog log = logs.open(2)) {
            log.output("one\ntwo\nthr");
            subscription = logs.subscribe(2, received::add).orElseThrow();
            assertThat(Files.readAllLines(logs.fileOf(2))).as("flushed when the follower joins")
                    .containsExactly("one", "two");
            log.output("ee\n");
            log.status(DeploymentStatus.BUILDING);
        }

        assertThat(subscription.linesInFile()).isEqualTo(2);
        assertThat(received).containsExactly(new LogEvent.Line(3, "three"),
                new LogEvent.Status(DeploymentStatus.BUILDING), new LogEvent.End());
    }

    @Test
    void aCancelledFollowerGetsNothingMoreAndAClosedLogTakesNoFollowers() {
        var logs = new BuildLogs(logsDirectory);
        List<LogEvent> received = new CopyOnWriteArrayList<>();
        try (LiveLog log = logs.open(3)) {
            LiveLog.Subscription subscription = logs.subscribe(3, received::add).orElseThrow();
            log.output("a\n");
            subscription.cancel().run();
            log.output("b\n");
        }

        assertThat(received).containsExactly(new LogEvent.Line(1, "a"));
        assertThat(logs.subscribe(3, received::add)).as("no build writes it any more").isEmpty();
    }

    @Test
    void tellsTheOpenListenersWhenABuildOpensItsLog() {
        var logs = new BuildLogs(logsDirectory);
        List<Long> opened = new CopyOnWriteArrayList<>();
        logs.onOpen(opened::add);

        try (LiveLog log = logs.open(5)) {
            assertThat(logs.isActive(5)).isTrue();
        }

        assertThat(opened).containsExactly(5L);
        assertThat(logs.isActive(5)).isFalse();
    }

    @Test
    void reopeningALogAfterARestartContinuesTheLineNumbers() {
        var logs = new BuildLogs(logsDirectory);
        try (LiveLog log = logs.open(4)) {
            log.output("before\n");
            log.info("a message with a carriage\rreturn");
        }
        List<LogEvent> received = new CopyOnWriteArrayList<>();
        try (LiveLog log = logs.open(4)) {
            assertThat(logs.subscribe(4, received::add).orElseThrow().linesInFile())
                    .as("lines end at newlines only, as the page and the replay count them").isEqualTo(2);
            log.output("after\n");
        }

        assertThat(received).containsExactly(new LogEvent.Line(3, "after"), new LogEvent.End());
    }
}
