package io.miaobu.plugin.aliyun.oss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.miaobu.api.ExtensionException;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.config.ConnectionCheck;
import io.miaobu.api.deploy.ActivationResult;
import io.miaobu.api.deploy.PublishedDeployment;
import io.miaobu.api.deploy.SiteDeployment;
import io.miaobu.api.testkit.RecordingTaskLog;
import io.miaobu.plugin.aliyun.oss.standin.OssStandIn;
import io.miaobu.plugin.aliyun.oss.standin.OssStandIn.Fault;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OssDeployTargetTest {

    static final String SITE = "miaobu/sites/blog/";

    @TempDir
    Path temp;

    OssStandIn oss;
    ConfigValues settings;
    OssDeployTarget target;
    EdgeFollower edge;
    RecordingTaskLog log = new RecordingTaskLog();

    @BeforeEach
    void start() throws Exception {
        oss = OssStandIn.start("sites").user(TestSettings.KEY_ID, TestSettings.SECRET).allowAnonymousReads(true);
        settings = TestSettings.of(oss, "v4");
        target = new OssDeployTarget(new OssTuning(8, 4, Duration.ofMillis(5)), Clock.systemUTC());
        edge = new EdgeFollower(oss.endpoint(), "sites", SITE);
    }

    @AfterEach
    void stop() {
        oss.close();
    }

    @Test
    void publishesASiteOfSeveralHundredFilesAndServesItThroughThePointer() throws Exception {
        Map<String, String> files = site(300);
        PublishedDeployment published = publish("d1", output("a", files));
        target.activate(deployment(published));

        assertThat(published.fileCount()).isEqualTo(300);
        for (var file : files.entrySet()) {
            EdgeFollower.Response response = edge.get("/" + file.getKey());
            assertThat(response.status()).as(file.getKey()).isEqualTo(200);
            assertThat(response.text()).as(file.getKey()).isEqualTo(file.getValue());
        }
        EdgeFollower.Response home = edge.get("/");
        assertThat(home.text()).isEqualTo(files.get("index.html"));
        assertThat(home.headers()).containsEntry("Content-Type", "text/html; charset=utf-8")
                .containsEntry("Cache-Control", "public, max-age=0, must-revalidate");
        assertThat(edge.get("/docs/").text()).isEqualTo(files.get("docs/index.html"));
        assertThat(edge.get("/docs").headers()).containsEntry("Location", "/docs/");
        assertThat(edge.get("/assets/app.3f9a1c2b.js").headers())
                .containsEntry("Content-Type", "text/javascript; charset=utf-8")
                .containsEntry("Cache-Control", "public, max-age=31536000, immutable");
        assertThat(edge.get("/assets/style.9be1c0d4.css").headers())
                .containsEntry("Content-Type", "text/css; charset=utf-8")
                .containsEntry("Cache-Control", "public, max-age=31536000, immutable");
        assertThat(edge.get("/img/photo-8.png").headers()).containsEntry("Content-Type", "image/png")
                .containsEntry("Cache-Control", "public, max-age=0, must-revalidate");
        EdgeFollower.Response missing = edge.get("/no/such/page");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.text()).isEqualTo(files.get("404.html"));
        // identical files are stored once
        long distinct = files.values().stream().distinct().count();
        assertThat(oss.objects().keySet().stream().filter(k -> k.startsWith(SITE + "objects/"))).hasSize((int) distinct);
        assertThat(oss.objects().keySet()).noneMatch(k -> k.contains("/pending/"));
    }

    @Test
    void servesIndexHtmlForUnknownPathsOfASinglePageApp() throws Exception {
        Path out = output("a", Map.of("index.html", "<div id=app></div>", "404.html", "not found"));
        PublishedDeployment published = target.publish(new TestPublishContext("blog", "d1", out, log, settings,
                ConfigValues.of(Map.of("spa", "true"))));
        target.activate(deployment(published));

        EdgeFollower.Response route = edge.get("/users/42/settings");

        assertThat(route.status()).isEqualTo(200);
        assertThat(route.text()).isEqualTo("<div id=app></div>");
    }

    @Test
    void servesPrecompressedSiblingsToClientsThatAcceptThem() throws Exception {
        PublishedDeployment published = publish("d1", output("a", Map.of("index.html", "home",
                "app.12ab34cd.js", "plain js", "app.12ab34cd.js.br", "brotli bytes", "app.12ab34cd.js.gz", "gz")));
        target.activate(deployment(published));

        EdgeFollower.Response br = edge.get("/app.12ab34cd.js", null, "gzip, deflate, br");
        EdgeFollower.Response gzip = edge.get("/app.12ab34cd.js", null, "gzip");
        EdgeFollower.Response plain = edge.get("/app.12ab34cd.js", null, "");

        assertThat(br.text()).isEqualTo("brotli bytes");
        assertThat(br.headers()).containsEntry("Content-Encoding", "br").containsEntry("Vary", "Accept-Encoding")
                .containsEntry("Content-Type", "text/javascript; charset=utf-8");
        assertThat(gzip.text()).isEqualTo("gz");
        assertThat(gzip.headers()).containsEntry("Content-Encoding", "gzip");
        assertThat(plain.text()).isEqualTo("plain js");
        assertThat(plain.headers()).doesNotContainKey("Content-Encoding");
    }

    @Test
    void uploadsOnlyWhatChangedAndRollsBackWithoutUploading() throws Exception {
        Map<String, String> files = site(120);
        PublishedDeployment first = publish("d1", output("a", files));
        target.activate(deployment(first));
        Map<String, String> changed = new LinkedHashMap<>(files);
        changed.put("docs/page-5.html", "<h1>changed</h1>");
        oss.clearRequests();

        PublishedDeployment second = publish("d2", output("b", changed));

        assertThat(objectPuts()).hasSize(1);
        assertThat(second.uploadedBytes()).isEqualTo("<h1>changed</h1>".length());
        ActivationResult switched = target.activate(deployment(second));
        assertThat(switched.changedPaths()).containsExactly("/docs/page-5.html");
        assertThat(edge.get("/docs/page-5.html").text()).isEqualTo("<h1>changed</h1>");

        oss.clearRequests();
        PublishedDeployment third = publish("d3", output("c", changed));
        assertThat(objectPuts()).isEmpty();
        assertThat(third.uploadedBytes()).isZero();
        assertThat(oss.requests("PUT", k -> true)).extracting(OssStandIn.Request::key)
                .containsExactlyInAnyOrder(SITE + "pending/d3.json", SITE + "deployments/d3.json");

        oss.clearRequests();
        ActivationResult rollback = target.activate(deployment(first));
        assertThat(oss.requests("PUT", k -> true)).extracting(OssStandIn.Request::key)
                .containsExactly(SITE + "live.json");
        assertThat(rollback.changedPaths()).containsExactly("/docs/page-5.html");
        assertThat(edge.get("/docs/page-5.html").text()).isEqualTo(files.get("docs/page-5.html"));
    }

    @Test
    void retriesUnavailableAnswersAndResetConnections() throws Exception {
        Map<String, String> files = site(40);
        oss.fail(Fault.UNAVAILABLE, 3, "PUT", ".*/objects/.*");
        oss.fail(Fault.CONNECTION_RESET, 1, "PUT", ".*/objects/.*");
        oss.fail(Fault.UNAVAILABLE, 1, "HEAD", ".*/objects/.*");
        oss.fail(Fault.UNAVAILABLE, 1, "PUT", ".*/deployments/.*");

        PublishedDeployment published = publish("d1", output("a", files));
        target.activate(deployment(published));

        assertThat(oss.requests().stream().filter(r -> r.status() == 503 || r.status() == 0)).hasSize(6);
        for (var file : files.entrySet()) {
            assertThat(edge.get("/" + file.getKey()).text()).isEqualTo(file.getValue());
        }
    }

    @Test
    void aPermanentFailureLeavesNoManifestAndTheOldDeploymentLive() throws Exception {
        PublishedDeployment live = publish("d1", output("a", Map.of("index.html", "old", "a.css", "a")));
        target.activate(deployment(live));
        oss.failAlways(Fault.UNAVAILABLE, "PUT", ".*/objects/.*");

        assertThatThrownBy(() -> publish("d2", output("b", Map.of("index.html", "new", "a.css", "a"))))
                .isInstanceOf(ExtensionException.class)
                .hasMessageContaining("ServiceUnavailable");

        assertThat(oss.objects()).doesNotContainKey(SITE + "deployments/d2.json")
                .doesNotContainKey(SITE + "pending/d2.json");
        assertThat(oss.requests("PUT", k -> k.contains("/objects/")).stream().filter(r -> r.status() == 503))
                .hasSize(4);
        oss.clearFaults();
        assertThat(edge.get("/").text()).isEqualTo("old");
    }

    @Test
    void garbageCollectionKeepsEverythingAKeptOrPendingManifestReferences() throws Exception {
        PublishedDeployment d1 = publish("d1", output("a", Map.of("index.html", "one", "shared.css", "shared",
                "only-d1.js", "only one")));
        PublishedDeployment d2 = publish("d2", output("b", Map.of("index.html", "two", "shared.css", "shared",
                "only-d2.js", "only two")));
        PublishedDeployment d3 = publish("d3", output("c", Map.of("index.html", "three", "shared.css", "shared")));
        target.activate(deployment(d3));
        String pendingHash = sha("pending content");
        oss.putObject(SITE + "objects/" + pendingHash, "pending content".getBytes(), "text/plain", Instant.now());
        oss.putObject(SITE + "pending/d4.json", ("{\"deployment\":\"d4\",\"hashes\":[\"" + pendingHash
                + "\"]}").getBytes(), "application/json", Instant.now());
        String staleHash = sha("stale pending");
        oss.putObject(SITE + "objects/" + staleHash, "stale pending".getBytes(), "text/plain", Instant.now());
        oss.putObject(SITE + "pending/d0.json", ("{\"deployment\":\"d0\",\"hashes\":[\"" + staleHash
                + "\"]}").getBytes(), "application/json", Instant.now().minus(Duration.ofHours(25)));

        target.delete(deployment(d1));

        Map<String, byte[]> objects = oss.objects();
        assertThat(objects).doesNotContainKey(SITE + "deployments/d1.json")
                .doesNotContainKey(SITE + "objects/" + sha("only one"))
                .doesNotContainKey(SITE + "objects/" + staleHash)
                .containsKey(SITE + "objects/" + sha("only two"))
                .containsKey(SITE + "objects/" + sha("shared"))
                .containsKey(SITE + "objects/" + sha("two"))
                .containsKey(SITE + "objects/" + pendingHash);
        for (String key : List.of("d2", "d3")) {
            Manifest manifest = OssDeployTarget.manifest(objects.get(SITE + "deployments/" + key + ".json"));
            assertThat(manifest.hashes()).allSatisfy(h -> assertThat(objects).containsKey(SITE + "objects/" + h));
        }
        assertThat(log.text()).contains("Deleted deployment d1; 3 objects no kept deployment uses were removed");

        target.delete(deployment(d2));
        assertThat(oss.objects()).doesNotContainKey(SITE + "objects/" + sha("only two"))
                .containsKey(SITE + "objects/" + sha("shared"));
        assertThat(edge.get("/shared.css").text()).isEqualTo("shared");
        target.delete(deployment(d2));
    }

    @Test
    void refusesToDeleteTheLiveDeploymentOrAPreviewsOne() throws Exception {
        PublishedDeployment live = publish("d1", output("a", Map.of("index.html", "live")));
        PublishedDeployment preview = publish("d2", output("b", Map.of("index.html", "preview")));
        target.activate(deployment(live));
        target.activatePreview(deployment(preview), "pr-7--blog");

        assertThatThrownBy(() -> target.delete(deployment(live)))
                .isInstanceOf(ExtensionException.class)
                .hasMessageStartingWith("Deployment d1 is live.");
        assertThatThrownBy(() -> target.delete(deployment(preview)))
                .isInstanceOf(ExtensionException.class)
                .hasMessageStartingWith("Deployment d2 is served as preview pr-7--blog.");
        assertThat(edge.get("/").text()).isEqualTo("live");
        assertThat(edge.get("/", "pr-7--blog", "").text()).isEqualTo("preview");

        target.removePreview("blog", "pr-7--blog", settings, ConfigValues.EMPTY);
        target.delete(deployment(preview));
        assertThat(edge.get("/", "pr-7--blog", "").status()).isEqualTo(404);
    }

    @Test
    void reportsProgressUpToTheTotalsAndCountsOnlyBytesActuallyUploaded() throws Exception {
        Map<String, String> files = site(60);
        publish("d1", output("a", Map.of("shared.txt", files.get("index.html"))));
        oss.clearRequests();
        Path out = output("b", files);
        TestPublishContext context = new TestPublishContext("blog", "d2", out, log, settings);

        PublishedDeployment published = target.publish(context);

        long bytes = files.values().stream().mapToLong(v -> v.getBytes(StandardCharsets.UTF_8).length).sum();
        assertThat(context.progress.get(0)).isEqualTo(new TestPublishContext.Progress(0, 60, 0, bytes));
        assertThat(context.progress).extracting(TestPublishContext.Progress::filesDone).isSorted()
                .contains(60L);
        assertThat(context.progress.stream().mapToLong(TestPublishContext.Progress::bytesDone).max())
                .hasValue(bytes);
        long putBytes = oss.requests("PUT", k -> k.contains("/objects/")).stream()
                .filter(r -> r.status() == 200).mapToLong(OssStandIn.Request::bodySize).sum();
        assertThat(published.uploadedBytes()).isEqualTo(putBytes).isLessThan(bytes);
        assertThat(published.totalBytes()).isEqualTo(bytes);
    }

    @Test
    void stopsPromptlyWhenCancelledAndWritesNoManifest() throws Exception {
        Path out = output("a", site(100));
        oss.failAlways(Fault.HOLD, "PUT", ".*/objects/.*");
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        Thread publisher = new Thread(() -> {
            try {
                publish("d1", out);
                outcome.set(new AssertionError("publish finished"));
            } catch (Throwable e) {
                outcome.set(e);
            }
        });
        publisher.start();
        assertThat(oss.awaitHeld(1, 10, TimeUnit.SECONDS)).isTrue();

        publisher.interrupt();
        publisher.join(TimeUnit.SECONDS.toMillis(10));

        assertThat(publisher.isAlive()).isFalse();
        assertThat(outcome.get()).isInstanceOf(InterruptedException.class);
        oss.clearFaults();
        oss.releaseHeld();
        assertThat(oss.objects()).doesNotContainKey(SITE + "deployments/d1.json");
        assertThat(oss.requests("PUT", k -> k.contains("/objects/")).size()).isLessThan(100);
    }

    @Test
    void refusesToPublishTheSameDeploymentTwice() throws Exception {
        Path out = output("a", Map.of("index.html", "x"));
        publish("d1", out);

        assertThatThrownBy(() -> publish("d1", out))
                .isInstanceOf(ExtensionException.class)
                .hasMessageContaining("already been published");
    }

    @Test
    void removingASiteLeavesNothingOfIt() throws Exception {
        target.activate(deployment(publish("d1", output("a", Map.of("index.html", "x")))));
        oss.putObject("miaobu/sites/blogger/live.json", "{}".getBytes(), "application/json", Instant.now());

        target.removeSite("blog", settings, ConfigValues.EMPTY);

        assertThat(oss.objects().keySet()).containsExactly("miaobu/sites/blogger/live.json");
        assertThat(edge.get("/").status()).isEqualTo(404);
    }

    @Test
    void connectionCheckPassesEveryCheckWithGoodSettings() {
        List<ConnectionCheck> checks = target.checkConnection(settings);

        assertThat(checks).hasSize(5).allSatisfy(c -> assertThat(c.passed()).as(c.name() + ": " + c.detail()).isTrue());
        assertThat(oss.objects()).isEmpty();
    }

    @Test
    void connectionCheckNamesTheMissingWritePermission() {
        oss.readOnlyUser("LTAI5tReadOnly", "read-only-secret");

        List<ConnectionCheck> checks = target.checkConnection(TestSettings.of(oss, "v4", "LTAI5tReadOnly",
                "read-only-secret"));

        assertThat(checks).extracting(ConnectionCheck::passed).containsExactly(true, true, false, false, false);
        assertThat(checks.get(2).name()).startsWith("Write an object below miaobu/sites/ in bucket sites");
        assertThat(checks.get(2).detail()).contains("AccessDenied").contains("LTAI5tReadOnly")
                .doesNotContain("read-only-secret");
        assertThat(checks.get(3).detail()).isEqualTo("Not tried: the check above failed.");
    }

    @Test
    void connectionCheckSaysTheSecretIsWrong() {
        List<ConnectionCheck> checks = target.checkConnection(TestSettings.of(oss, "v1", TestSettings.KEY_ID,
                "typo-secret"));

        assertThat(checks).hasSize(5);
        assertThat(checks.get(0).passed()).isFalse();
        assertThat(checks.get(0).detail()).isEqualTo("OSS refused the signature (SignatureDoesNotMatch): check the "
                + "AccessKey secret.");
        assertThat(checks).allSatisfy(c -> assertThat(c.detail()).doesNotContain("typo-secret"));
    }

    private List<OssStandIn.Request> objectPuts() {
        return oss.requests("PUT", k -> k.startsWith(SITE + "objects/"));
    }

    private PublishedDeployment publish(String key, Path out) throws InterruptedException {
        return target.publish(new TestPublishContext("blog", key, out, log, settings));
    }

    private SiteDeployment deployment(PublishedDeployment published) {
        return new SiteDeployment("blog", published, settings, ConfigValues.EMPTY, log);
    }

    private Path output(String name, Map<String, String> files) throws Exception {
        Path dir = Files.createDirectories(temp.resolve("out").resolve(name));
        for (var file : files.entrySet()) {
            Path path = dir.resolve(file.getKey());
            Files.createDirectories(path.getParent());
            Files.writeString(path, file.getValue());
        }
        return dir;
    }

    /** A site of {@code count} files: pages in nested folders, hashed assets, images, a 404 page. */
    static Map<String, String> site(int count) {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("index.html", "<!doctype html><h1>Home</h1>");
        files.put("404.html", "<!doctype html><h1>Not found</h1>");
        files.put("docs/index.html", "<!doctype html><h1>Docs</h1>");
        files.put("assets/app.3f9a1c2b.js", "console.log('app')");
        files.put("assets/style.9be1c0d4.css", "body{margin:0}");
        files.put("favicon.ico", "ico");
        for (int i = 0; files.size() < count; i++) {
            switch (i % 5) {
                case 0 -> files.put("docs/page-" + i + ".html", "<h1>Page " + i + "</h1>");
                case 1 -> files.put("blog/" + (i / 25) + "/post-" + i + "/index.html", "<h1>Post " + i + "</h1>");
                case 2 -> files.put("assets/chunk-" + i + "." + String.format("%08x", i * 2654435761L & 0xffffffffL)
                        + ".js", "export const n = " + i + ";");
                case 3 -> files.put("img/photo-" + i + ".png", "\u0089PNG fake " + i);
                default -> files.put("img/copy-" + i + ".svg", "<svg/>");
            }
        }
        return files;
    }

    private String sha(String content) throws Exception {
        return SiteFiles.sha256(Files.writeString(temp.resolve("probe-" + content.hashCode()), content));
    }
}
