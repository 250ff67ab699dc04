package io.miaobu.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live log's event stream under load, with a real server and real builds: hundreds of clients of one build
 * without a server thread each, a client that stops reading let go without holding up the build or the others, and
 * a late client of a big finished (compressed) log.
 */
class LiveLogStreamsIT {

    private static final Pattern SEQUENCE = Pattern.compile("seq (\\d+)( .*)?");
    private static final Duration LIMIT = Duration.ofSeconds(120);

    @TempDir
    Path temp;

    private ExecutorService httpThreads;
    private HttpClient http;

    @BeforeEach
    void client() {
        // two threads for every test client together: the server's thread count is what is measured
        httpThreads = Executors.newFixedThreadPool(2);
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(httpThreads)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void closeClient() {
        httpThreads.shutdownNow();
    }

    @Test
    void hundredsOfClientsOfARunningBuildGetEveryLineInOrderWithoutAServerThreadEach() throws Exception {
        int clients = 200;
        int lines = 300;
        Path gates = Files.createDirectories(temp.resolve("gates"));
        try (var repo = new SiteRepository(temp.resolve("repo"));
             var server = new TestServer(temp.resolve("home"), Map.of()).start()) {
            repo.writeBuildScript("""
                    const fs = require('fs');
                    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
                    const gate = async (name) => { while (!fs.existsSync(%s + '/' + name)) await sleep(10); };
                    (async () => {
                      await gate('go');
                      for (let i = 1; i <= %d; i++) {
                        console.log('seq ' + i);
                        await sleep(1);
                      }
                      await gate('finish');
                      fs.mkdirSync('dist', { recursive: true });
                      fs.writeFileSync('dist/index.html', '<h1>many</h1>');
                    })();
                    """.formatted(jsString(gates.toString()), lines));
            repo.commit("Print numbered lines");
            long id = deploy(server, repo);
            server.awaitDeployment(id, d -> d.get("status").asText().equals("BUILDING"), LIMIT);
            // the test's HTTP client starts its threads on first use: before the count is taken
            AsyncSseClient.connect(http, server, id, null, null, false, event -> { }).join().close();

            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            int threadsBefore = threads.getThreadCount();
            threads.resetPeakThreadCount();
            var lastLine = new CountDownLatch(clients);
            var end = new CountDownLatch(clients);
            List<Seen> seen = new ArrayList<>();
            List<CompletableFuture<AsyncSseClient>> connecting = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                var client = new Seen(lines, lastLine, end);
                seen.add(client);
                connecting.add(AsyncSseClient.connect(http, server, id, null, null, false, client));
                if (connecting.size() == 20) {
                    // in waves, as browsers come: a burst of 200 requests at once would grow Jetty's pool by itself
                    CompletableFuture.allOf(connecting.toArray(CompletableFuture[]::new)).join();
                    connecting.clear();
                }
            }
            CompletableFuture.allOf(connecting.toArray(CompletableFuture[]::new)).join();

            Files.createFile(gates.resolve("go"));
            assertThat(lastLine.await(LIMIT.toSeconds(), TimeUnit.SECONDS)).as("every client got the last line, "
                    + "%s did not", lastLine.getCount()).isTrue();
            int threadsAtMost = threads.getPeakThreadCount();
            Files.createFile(gates.resolve("finish"));
            assertThat(end.await(LIMIT.toSeconds(), TimeUnit.SECONDS)).as("every client got 'end'").isTrue();

            for (Seen client : seen) {
                assertNumbered(client.sequences(), 1, lines, "the numbered lines");
                assertNumbered(client.ids(), 1, client.ids().size(), "every line of the log once, in order");
                assertThat(client.statuses()).endsWith("UPLOADING", "LIVE");
            }
            // a thread per client would be 200 more (Jetty's whole pool)
            assertThat(threadsAtMost - threadsBefore).as("threads added while %s clients followed the build "
                    + "(from %s)", clients, threadsBefore).isLessThan(clients / 4);
            assertThat(server.awaitFinal(id).get("status").asText()).isEqualTo("LIVE");
        }
    }

    @Test
    void aClientThatStopsReadingIsLetGoWithoutHoldingUpTheBuildOrTheOthers() throws Exception {
        int lines = 300_000;
        Path gates = Files.createDirectories(temp.resolve("gates"));
        try (var repo = new SiteRepository(temp.resolve("repo"));
             var server = new TestServer(temp.resolve("home"), Map.of()).start()) {
            // about 30 MB, a megabyte every 50 ms: far more than a connection's buffers hold for a client that stopped
            repo.writeBuildScript("""
                    const fs = require('fs');
                    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
                    const gate = async (name) => { while (!fs.existsSync(%s + '/' + name)) await sleep(10); };
                    (async () => {
                      await gate('go');
                      const pad = 'x'.repeat(88);
                      let chunk = '';
                      for (let i = 1; i <= %d; i++) {
                        chunk += 'seq ' + i + ' ' + pad + '\\n';
                        if (i %% 10000 === 0) { fs.writeSync(1, chunk); chunk = ''; await sleep(50); }
                      }
                      fs.writeSync(1, chunk);
                      fs.mkdirSync('dist', { recursive: true });
                      fs.writeFileSync('dist/index.html', '<h1>a lot</h1>');
                    })();
                    """.formatted(jsString(gates.toString()), lines));
            repo.commit("Print a lot");
            long id = deploy(server, repo);
            server.awaitDeployment(id, d -> d.get("status").asText().equals("BUILDING"), LIMIT);

            var reader = new Seen(lines, new CountDownLatch(1), new CountDownLatch(1));
            AsyncSseClient.connect(http, server, id, null, null, false, reader).join();
            var stopped = new Seen(lines, new CountDownLatch(1), new CountDownLatch(1));
            AsyncSseClient stopper = AsyncSseClient.connect(http, server, id, null, null, true, stopped).join();
            Files.createFile(gates.resolve("go"));

            assertThat(server.awaitFinal(id).get("status").asText()).as("the build, while a client reads nothing")
                    .isEqualTo("LIVE");
            assertThat(reader.end.await(LIMIT.toSeconds(), TimeUnit.SECONDS)).as("the reading client's end").isTrue();
            assertNumbered(reader.sequences(), 1, lines, "the reading client's lines");

            stopper.resume();
            stopper.done().get(LIMIT.toSeconds(), TimeUnit.SECONDS);
            long lastSeen = stopped.ids().isEmpty() ? 0 : stopped.ids().get(stopped.ids().size() - 1);
            assertThat(stopped.ended()).as("the client that stopped reading was disconnected before the end").isFalse();
            assertNumbered(stopped.ids(), 1, lastSeen, "what it got before: the lines from the first, in order");

            // as EventSource does: back with Last-Event-ID, it gets the rest from the file
            var back = new Seen(lines, new CountDownLatch(1), new CountDownLatch(1));
            AsyncSseClient.connect(http, server, id, null, Long.toString(lastSeen), false, back).join();
            assertThat(back.end.await(LIMIT.toSeconds(), TimeUnit.SECONDS)).as("end after coming back").isTrue();
            List<Long> acrossTheReconnect = new ArrayList<>(stopped.sequences());
            acrossTheReconnect.addAll(back.sequences());
            assertNumbered(acrossTheReconnect, 1, lines, "the lines before leaving, then after coming back");
            assertThat(back.ids().get(0)).isEqualTo(lastSeen + 1);
        }
    }

    @Test
    void aLateClientOfABigCompressedLogGetsItAllInOrder() throws Exception {
        int lines = 500_000;
        try (var repo = new SiteRepository(temp.resolve("repo"));
             var server = new TestServer(temp.resolve("home"), Map.of()).start()) {
            repo.writeBuildScript("""
                    const fs = require('fs');
                    let chunk = '';
                    for (let i = 1; i <= %d; i++) {
                      chunk += 'seq ' + i + '\\n';
                      if (chunk.length > 65536) { fs.writeSync(1, chunk); chunk = ''; }
                    }
                    fs.writeSync(1, chunk);
                    fs.mkdirSync('dist', { recursive: true });
                    fs.writeFileSync('dist/index.html', '<h1>long</h1>');
                    """.formatted(lines));
            repo.commit("Print half a million lines");
            long id = deploy(server, repo);
            assertThat(server.awaitFinal(id).get("status").asText()).isEqualTo("LIVE");
            Path deployments = server.home().resolve("logs/deployments");
            awaitFile(deployments.resolve(id + ".log.gz"));
            assertThat(deployments.resolve(id + ".log")).as("stored compressed only").doesNotExist();
            long logLines = server.api("GET", "/api/v1/deployments/" + id + "/log", null).body().lines().count();

            var everything = new Seen(lines, new CountDownLatch(1), new CountDownLatch(1));
            AsyncSseClient.connect(http, server, id, null, null, false, everything).join();
            assertThat(everything.end.await(LIMIT.toSeconds(), TimeUnit.SECONDS)).as("end of the replay").isTrue();
            assertNumbered(everything.sequences(), 1, lines, "the numbered lines");
            assertNumbered(everything.ids(), 1, logLines, "the ids: every line of the log");
            assertThat(everything.statuses()).as("an ended deployment's replay has no status").isEmpty();

            // Last-Event-ID wins over ?after=
            long half = logLines / 2;
            var rest = new Seen(lines, new CountDownLatch(1), new CountDownLatch(1));
            AsyncSseClient.connect(http, server, id, "after=1", Long.toString(half), false, rest).join();
            assertThat(rest.end.await(LIMIT.toSeconds(), TimeUnit.SECONDS)).as("end of the second replay").isTrue();
            assertNumbered(rest.ids(), half + 1, logLines, "the lines after the Last-Event-ID");
        }
    }

    private static long deploy(TestServer server, SiteRepository repo) throws Exception {
        long projectId = server.json("POST", "/api/v1/projects", Map.of("name", "Streams",
                "repositoryUrl", repo.directory().toString(), "branch", "main"), 201).get("id").asLong();
        return server.json("POST", "/api/v1/projects/" + projectId + "/deployments", null, 201).get("id").asLong();
    }

    private static void awaitFile(Path file) {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (!Files.exists(file)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(file + " did not appear within " + LIMIT);
            }
            LockSupport.parkNanos(20_000_000);
        }
    }

    /** What one client saw: the ids of the lines, the numbers of the "seq N" lines, the statuses, whether it ended. */
    private static final class Seen implements Consumer<SseClient.Event> {

        private final long lastSequence;
        private final CountDownLatch lastLine;
        private final CountDownLatch end;
        private final List<Long> ids = new ArrayList<>();
        private final List<Long> sequences = new ArrayList<>();
        private final List<String> statuses = new ArrayList<>();
        private boolean ended;

        Seen(long lastSequence, CountDownLatch lastLine, CountDownLatch end) {
            this.lastSequence = lastSequence;
            this.lastLine = lastLine;
            this.end = end;
        }

        @Override
        public synchronized void accept(SseClient.Event event) {
            switch (event.name()) {
                case "line" -> {
                    ids.add(Long.parseLong(event.id()));
                    Matcher matcher = SEQUENCE.matcher(event.data());
                    if (matcher.matches()) {
                        long sequence = Long.parseLong(matcher.group(1));
                        sequences.add(sequence);
                        if (sequence == lastSequence) {
                            lastLine.countDown();
                        }
                    }
                }
                case "status" -> statuses.add(event.data());
                case "end" -> {
                    ended = true;
                    end.countDown();
                }
                default -> statuses.add("unexpected event " + event);
            }
        }

        synchronized List<Long> ids() {
            return List.copyOf(ids);
        }

        synchronized List<Long> sequences() {
            return List.copyOf(sequences);
        }

        synchronized List<String> statuses() {
            return List.copyOf(statuses);
        }

        synchronized boolean ended() {
            return ended;
        }
    }

    /** Fails naming the first difference, rather than printing lists of half a million numbers. */
    private static void assertNumbered(List<Long> actual, long first, long last, String what) {
        for (int i = 0; i < actual.size(); i++) {
            if (actual.get(i) != first + i) {
                throw new AssertionError(what + ": expected " + (first + i) + " at index " + i + ", got "
                        + actual.subList(Math.max(0, i - 3), Math.min(actual.size(), i + 4)) + " around it");
            }
        }
        assertThat((long) actual.size()).as(what + ": how many, from " + first).isEqualTo(last - first + 1);
    }

    private static String jsString(String text) {
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
