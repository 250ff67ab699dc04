package io.miaobu.plugin.localstorage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.miaobu.api.ExtensionException;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.deploy.ActivationResult;
import io.miaobu.api.deploy.PublishedDeployment;
import io.miaobu.api.deploy.SiteDeployment;
import io.miaobu.api.testkit.RecordingTaskLog;
import io.miaobu.api.testkit.TestHostInfo;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LocalStorageDeployTargetTest {

    private final RecordingTaskLog log = new RecordingTaskLog();
    private LocalStorageDeployTarget target;
    private Path sites;

    @TempDir
    Path temp;

    @BeforeEach
    void createTarget() {
        TestHostInfo host = new TestHostInfo(temp.resolve("home"));
        sites = host.sitesDirectory();
        target = new LocalStorageDeployTarget(host);
    }

    @Test
    void publishesAnImmutableCopyAndMakesItLiveThenSwitches() throws Exception {
        Path one = output("one", Map.of("index.html", "<h1>one</h1>", "assets/app.css", "body{}"));
        Files.createDirectories(one.resolve("empty/nested"));
        Path two = output("two", Map.of("index.html", "<h1>two</h1>", "assets/app.css", "body{}"));

        PublishedDeployment first = publish("blog", "d1", one);
        PublishedDeployment second = publish("blog", "d2", two);
        target.activate(site("blog", first));

        Path deployment = sites.resolve("blog/deployments/d1");
        assertThat(first.storageRef()).isEqualTo("d1");
        assertThat(Path.of(first.location())).isEqualTo(deployment);
        assertThat(first.fileCount()).isEqualTo(2);
        assertThat(first.totalBytes()).isEqualTo("<h1>one</h1>".length() + "body{}".length());
        assertThat(deployment.resolve("assets/app.css")).hasContent("body{}");
        assertThat(deployment.resolve("empty/nested")).isDirectory();
        assertThat(sites.resolve("blog/current/index.html")).hasContent("<h1>one</h1>");
        assertThat(Files.readSymbolicLink(sites.resolve("blog/current"))).isEqualTo(Path.of("deployments/d1"));

        ActivationResult switched = target.activate(site("blog", second));

        assertThat(sites.resolve("blog/current/index.html")).hasContent("<h1>two</h1>");
        assertThat(switched.changedPaths()).containsExactlyInAnyOrder("/index.html", "/");
        assertThat(deployment.resolve("index.html")).hasContent("<h1>one</h1>");
        try (Stream<Path> siteFiles = Files.list(sites.resolve("blog"))) {
            assertThat(siteFiles.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("deployments",
                    "current");
        }
    }

    @Test
    void removesASiteWithItsLiveDeploymentPreviewsAndUnsharedContent() throws Exception {
        PublishedDeployment live = publish("gone", "d1", output("a", Map.of("index.html", "only here")));
        target.activate(site("gone", live));
        PublishedDeployment preview = publish("gone/pr-1", "d2", output("b", Map.of("index.html", "preview")));
        target.activate(site("gone/pr-1", preview));
        publish("kept", "d3", output("c", Map.of("index.html", "kept", "shared.css", "x{}")));
        publish("gone", "d4", output("d", Map.of("shared.css", "x{}")));

        target.removeSite("gone", ConfigValues.EMPTY, ConfigValues.EMPTY);
        target.removeSite("gone", ConfigValues.EMPTY, ConfigValues.EMPTY);

        assertThat(sites.resolve("gone")).doesNotExist();
        assertThat(sites.resolve("kept/deployments/d3/shared.css")).hasContent("x{}");
        try (Stream<Path> objects = Files.walk(sites.resolve(".objects"))) {
            assertThat(objects.filter(Files::isRegularFile).map(p -> readQuietly(p)))
                    .containsExactlyInAnyOrder("kept", "x{}");
        }
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void writesNoNewBytesForADeploymentOfIdenticalContent() throws Exception {
        Map<String, String> files = Map.of("index.html", "<h1>same</h1>", "js/app.js", "console.log(1)");
        PublishedDeployment first = publish("site", "d1", output("a", files));

        PublishedDeployment second = publish("site", "d2", output("b", files));

        assertThat(first.uploadedBytes()).isEqualTo(first.totalBytes()).isPositive();
        assertThat(second.uploadedBytes()).isZero();
        assertThat(second.totalBytes()).isEqualTo(first.totalBytes());
        assertThat(sameFile("site/deployments/d1/js/app.js", "site/deployments/d2/js/app.js")).isTrue();
    }

    @Test
    void writesOnlyTheFileThatChanged() throws Exception {
        publish("site", "d1", output("a", Map.of("index.html", "old", "a.css", "aaa", "b.js", "bbb")));

        PublishedDeployment second = publish("site", "d2",
                output("b", Map.of("index.html", "new content", "a.css", "aaa", "b.js", "bbb")));

        assertThat(second.uploadedBytes()).isEqualTo("new content".length());
        assertThat(second.fileCount()).isEqualTo(3);
    }

    @Test
    void storesIdenticalContentOnceAcrossSites() throws Exception {
        publish("first", "d1", output("a", Map.of("logo.svg", "<svg/>")));

        PublishedDeployment other = publish("second", "d2", output("b", Map.of("img/logo.svg", "<svg/>")));

        assertThat(other.uploadedBytes()).isZero();
        assertThat(ContentStore.linkCount(sites.resolve("second/deployments/d2/img/logo.svg"))).isEqualTo(3);
    }

    @Test
    void switchesAtomicallyWhileReadersResolveTheLiveDeployment() throws Exception {
        PublishedDeployment one = publish("site", "d1", output("a", Map.of("index.html", "one")));
        PublishedDeployment two = publish("site", "d2", output("b", Map.of("index.html", "two")));
        target.activate(site("site", one));
        Path current = sites.resolve("site/current");
        AtomicBoolean switching = new AtomicBoolean(true);
        AtomicInteger reads = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            while (switching.get() || reads.get() == 0) {
                try {
                    Path live = current.toRealPath();
                    if (!live.endsWith("d1") && !live.endsWith("d2")) {
                        throw new AssertionError("current resolved to " + live);
                    }
                    reads.incrementAndGet();
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                    return;
                }
            }
        });
        reader.start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (reads.get() == 0 && failure.get() == null && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }

        for (int i = 0; i < 200; i++) {
            target.activate(site("site", i % 2 == 0 ? two : one));
        }
        switching.set(false);
        reader.join();

        assertThat(failure.get()).isNull();
        assertThat(reads.get()).isPositive();
        assertThat(current.resolve("index.html")).hasContent("one");
        try (Stream<Path> leftovers = Files.list(sites.resolve("site"))) {
            assertThat(leftovers).hasSize(2);
        }
    }

    @Test
    void refusesToActivateADeploymentThatIsMissing() throws Exception {
        PublishedDeployment live = publish("site", "d1", output("a", Map.of("index.html", "live")));
        target.activate(site("site", live));
        PublishedDeployment ghost = new PublishedDeployment("d9", live.location(), 0, 0, 0);

        assertThatThrownBy(() -> target.activate(site("site", ghost)))
                .isInstanceOf(ExtensionException.class)
                .hasMessageContaining("d9");
        assertThat(sites.resolve("site/current/index.html")).hasContent("live");
    }

    @Test
    void refusesToDeleteTheLiveDeployment() throws Exception {
        PublishedDeployment live = publish("site", "d1", output("a", Map.of("index.html", "live")));
        target.activate(site("site", live));

        assertThatThrownBy(() -> target.delete(site("site", live)))
                .isInstanceOf(ExtensionException.class)
                .hasMessageStartingWith("Deployment d1 is live.");
        assertThat(sites.resolve("site/current/index.html")).hasContent("live");
    }

    @Test
    void deletingCollectsOnlyContentNoOtherDeploymentUses() throws Exception {
        PublishedDeployment old = publish("site", "d1", output("a", Map.of("shared.css", "shared", "gone.js", "gone")));
        PublishedDeployment kept = publish("site", "d2", output("b", Map.of("shared.css", "shared", "new.js", "new")));
        target.activate(site("site", kept));
        Path shared = objectOf("shared");
        Path gone = objectOf("gone");
        Path fresh = objectOf("new");

        target.delete(site("site", old));

        assertThat(sites.resolve("site/deployments/d1")).doesNotExist();
        assertThat(gone).doesNotExist();
        assertThat(shared).exists();
        assertThat(fresh).exists();
        assertThat(sites.resolve("site/current/shared.css")).hasContent("shared");
        assertThat(log.text()).contains("Deleted deployment d1; 1 files no other deployment uses were removed");
    }

    @Test
    void deletingADeploymentThatIsAlreadyGoneSucceeds() throws Exception {
        PublishedDeployment published = publish("site", "d1", output("a", Map.of("index.html", "x")));
        target.delete(site("site", published));

        target.delete(site("site", published));

        assertThat(sites.resolve("site/deployments/d1")).doesNotExist();
    }

    @Test
    void keepsPreviewSitesBesideTheirProject() throws Exception {
        PublishedDeployment preview = publish("blog/pr-7", "d3", output("a", Map.of("index.html", "preview")));

        target.activate(site("blog/pr-7", preview));

        assertThat(sites.resolve("blog/pr-7/current/index.html")).hasContent("preview");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../escape", "blog/../../etc", "/absolute", "Blog", "blog//x", "a/b/c", ".objects",
            "-blog", "blog/", "", "blog/deployments", "blog/current", "blog\\x", "blog/.."})
    void refusesSiteKeysThatCouldLeaveTheirDirectory(String siteKey) throws Exception {
        Path out = output("a", Map.of("index.html", "x"));

        assertThatThrownBy(() -> target.publish(new TestPublishContext(siteKey, "d1", out, log)))
                .isInstanceOf(ExtensionException.class)
                .hasMessageContaining("is not a valid site key");
        assertThatThrownBy(() -> target.activate(site(siteKey, new PublishedDeployment("d1", null, 0, 0, 0))))
                .isInstanceOf(ExtensionException.class);
        assertThat(Files.exists(sites.resolve(".objects"))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"../d1", "a/b", "..", ".", "D1", ".d1", "d1.tmp", "/tmp/x", ""})
    void refusesDeploymentKeysThatCouldLeaveTheirDirectory(String key) throws Exception {
        Path out = output("a", Map.of("index.html", "x"));

        assertThatThrownBy(() -> target.publish(new TestPublishContext("site", key, out, log)))
                .isInstanceOf(ExtensionException.class)
                .hasMessageContaining("is not a valid deployment key");
        assertThatThrownBy(() -> target.delete(site("site", new PublishedDeployment(key, null, 0, 0, 0))))
                .isInstanceOf(ExtensionException.class)
                .hasMessageContaining("is not a valid deployment key");
    }

    @Test
    void refusesASymbolicLinkPointingOutsideTheOutputAndPublishesNothing() throws Exception {
        Path secret = Files.writeString(temp.resolve("secret.txt"), "do not publish");
        Path out = output("a", Map.of("index.html", "x"));
        Files.createDirectories(out.resolve("docs"));
        Files.createSymbolicLink(out.resolve("docs/passwd"), secret);

        assertThatThrownBy(() -> publish("site", "d1", out))
                .isInstanceOf(ExtensionException.class)
                .hasMessage("'docs/passwd' in the build output is a symbolic link to a file outside the output "
                        + "directory; it was not published.");
        assertThat(sites.resolve("site/deployments/d1")).doesNotExist();
        try (Stream<Path> staging = Files.list(sites.resolve("site/deployments"))) {
            assertThat(staging).isEmpty();
        }
    }

    @Test
    void refusesADirectoryLinkPointingOutsideTheOutput() throws Exception {
        Path out = output("a", Map.of("index.html", "x"));
        Files.createSymbolicLink(out.resolve("up"), temp);

        assertThatThrownBy(() -> publish("site", "d1", out))
                .isInstanceOf(ExtensionException.class)
                .hasMessageStartingWith("'up' in the build output is a symbolic link to a file outside");
    }

    @Test
    void publishesSymbolicLinksInsideTheOutputAsRegularFiles() throws Exception {
        Path out = output("a", Map.of("index.html", "home", "docs/guide.html", "guide"));
        Files.createSymbolicLink(out.resolve("start.html"), Path.of("index.html"));
        Files.createSymbolicLink(out.resolve("manual"), Path.of("docs"));

        PublishedDeployment published = publish("site", "d1", out);

        Path deployment = sites.resolve("site/deployments/d1");
        assertThat(Files.isSymbolicLink(deployment.resolve("start.html"))).isFalse();
        assertThat(deployment.resolve("start.html")).hasContent("home");
        assertThat(Files.isSymbolicLink(deployment.resolve("manual"))).isFalse();
        assertThat(deployment.resolve("manual/guide.html")).hasContent("guide");
        assertThat(published.fileCount()).isEqualTo(4);
        assertThat(published.uploadedBytes()).isEqualTo("home".length() + "guide".length());
    }

    @Test
    void refusesToPublishTheSameDeploymentTwice() throws Exception {
        Path out = output("a", Map.of("index.html", "x"));
        publish("site", "d1", out);

        assertThatThrownBy(() -> publish("site", "d1", out))
                .isInstanceOf(ExtensionException.class)
                .hasMessageContaining("already been published");
    }

    @Test
    void stopsAndCleansUpWhenCancelled() throws Exception {
        Path out = output("a", Map.of("index.html", "x", "b.html", "y"));
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> publish("site", "d1", out)).isInstanceOf(InterruptedException.class);
        } finally {
            Thread.interrupted();
        }
        try (Stream<Path> deployments = Files.list(sites.resolve("site/deployments"))) {
            assertThat(deployments).isEmpty();
        }
    }

    private PublishedDeployment publish(String siteKey, String key, Path out) throws InterruptedException {
        return target.publish(new TestPublishContext(siteKey, key, out, log));
    }

    private SiteDeployment site(String siteKey, PublishedDeployment deployment) {
        return new SiteDeployment(siteKey, deployment, ConfigValues.EMPTY, ConfigValues.EMPTY, log);
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

    private Path objectOf(String content) throws Exception {
        Path file = Files.writeString(temp.resolve("probe"), content);
        return new ContentStore(sites.resolve(".objects")).objectPath(ContentStore.sha256(file));
    }

    private boolean sameFile(String a, String b) throws Exception {
        return Files.isSameFile(sites.resolve(a), sites.resolve(b))
                && !Files.isSymbolicLink(sites.resolve(a)) && !Files.isSymbolicLink(sites.resolve(b))
                && Files.exists(sites.resolve(a), LinkOption.NOFOLLOW_LINKS);
    }
}
