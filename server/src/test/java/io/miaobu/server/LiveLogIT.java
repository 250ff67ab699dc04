package io.miaobu.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live log over SSE with a real server and a real build that prints numbered lines: a client there from before the
 * first line gets every line once and the end; one that leaves mid-build and comes back with {@code Last-Event-ID}
 * misses nothing and gets nothing twice.
 */
class LiveLogIT {

    private static final Pattern SEQUENCE = Pattern.compile("seq (\\d+)");
    private static final Duration LIMIT = Duration.ofSeconds(90);
    private static final int FIRST_PART = 100;
    private static final int LINES = 200;

    @TempDir
    Path temp;

    @Test
    void clientsGetEveryLineOnceInOrderAlsoAcrossAReconnect() throws Exception {
        Path gates = Files.createDirectories(temp.resolve("gates"));
        try (var repo = new SiteRepository(temp.resolve("repo"));
             var server = new TestServer(temp.resolve("home"), Map.of()).start()) {
            // the build prints nothing until "go"; then lines 1..100 every 10 ms; it waits for "more" to print the rest
            repo.writeBuildScript("""
                    const fs = require('fs');
                    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
                    const gate = async (name) => { while (!fs.existsSync(%s + '/' + name)) await sleep(10); };
                    (async () => {
                      await gate('go');
                      for (let i = 1; i <= %d; i++) {
                        if (i === %d) await gate('more');
                        console.log('seq ' + i);
                        await sleep(10);
                      }
                      fs.mkdirSync('dist', { recursive: true });
                      fs.writeFileSync('dist/index.html', '<h1>numbered</h1>');
                    })();
                    """.formatted(jsString(gates.toString()), LINES, FIRST_PART + 1));
            repo.commit("Print numbered lines");
            long projectId = server.json("POST", "/api/v1/projects", Map.of("name", "Numbers",
                    "repositoryUrl", repo.directory().toString(), "branch", "main"), 201).get("id").asLong();
            long id = server.json("POST", "/api/v1/projects/" + projectId + "/deployments", null, 201)
                    .get("id").asLong();

            try (var stayer = SseClient.connect(server, id, null);
                 var leaver = SseClient.connect(server, id, null)) {
                stayer.await(e -> e.name().equals("status"), LIMIT);
                leaver.await(e -> e.name().equals("status"), LIMIT);
                Files.createFile(gates.resolve("go"));

                // the leaver goes away after line 40 and the build prints on without it
                leaver.await(e -> sequenceOf(e) == 40, LIMIT);
                leaver.close();
                List<SseClient.Event> beforeLeaving = leaver.events();
                String lastSeen = lastLineId(beforeLeaving);
                stayer.await(e -> sequenceOf(e) == FIRST_PART, LIMIT);

                try (var returner = SseClient.connect(server, id, lastSeen)) {
                    returner.await(e -> sequenceOf(e) == FIRST_PART, LIMIT);
                    Files.createFile(gates.resolve("more"));
                    List<SseClient.Event> afterReturning = returner.awaitEnd(LIMIT);
                    List<SseClient.Event> stayed = stayer.awaitEnd(LIMIT);

                    assertThat(sequences(stayed)).as("the client that stayed")
                            .containsExactlyElementsOf(oneTo(LINES));
                    assertThat(lineIds(stayed)).as("ids count the log's lines")
                            .isEqualTo(oneTo(lineIds(stayed).size()));
                    assertThat(stayed).last().extracting(SseClient.Event::name).isEqualTo("end");
                    // from the status it connected in (queued or cloning, as fast as the server is), each once
                    assertThat(statuses(stayed)).endsWith("BUILDING", "UPLOADING", "LIVE").doesNotHaveDuplicates()
                            .isSubsetOf("QUEUED", "CLONING", "INSTALLING", "BUILDING", "UPLOADING", "LIVE");

                    List<Long> acrossTheReconnect = new ArrayList<>(sequences(beforeLeaving));
                    acrossTheReconnect.addAll(sequences(afterReturning));
                    assertThat(acrossTheReconnect).as("seen before leaving, then after coming back")
                            .containsExactlyElementsOf(oneTo(LINES));
                    assertThat(Long.parseLong(afterReturning.stream().filter(e -> e.id() != null).findFirst()
                            .orElseThrow().id())).as("the first line after the one last seen")
                            .isEqualTo(Long.parseLong(lastSeen) + 1);
                    assertThat(afterReturning).last().extracting(SseClient.Event::name).isEqualTo("end");
                }
            }
            assertThat(server.awaitFinal(id).get("status").asText()).isEqualTo("LIVE");
        }
    }

    private static long sequenceOf(SseClient.Event event) {
        if (!event.name().equals("line")) {
            return -1;
        }
        Matcher matcher = SEQUENCE.matcher(event.data());
        return matcher.matches() ? Long.parseLong(matcher.group(1)) : -1;
    }

    private static int indexOfSequence(List<SseClient.Event> events, long sequence) {
        for (int i = 0; i < events.size(); i++) {
            if (sequenceOf(events.get(i)) == sequence) {
                return i;
            }
        }
        throw new AssertionError("no line 'seq " + sequence + "'");
    }

    private static List<Long> sequences(List<SseClient.Event> events) {
        return events.stream().map(LiveLogIT::sequenceOf).filter(n -> n > 0).toList();
    }

    private static List<Long> lineIds(List<SseClient.Event> events) {
        return events.stream().filter(e -> e.name().equals("line")).map(e -> Long.parseLong(e.id())).toList();
    }

    private static List<String> statuses(List<SseClient.Event> events) {
        return events.stream().filter(e -> e.name().equals("status")).map(SseClient.Event::data).toList();
    }

    private static String lastLineId(List<SseClient.Event> events) {
        List<Long> ids = lineIds(events);
        return Long.toString(ids.get(ids.size() - 1));
    }

    private static List<Long> oneTo(long last) {
        return LongStream.rangeClosed(1, last).boxed().toList();
    }

    private static String jsString(String text) {
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
