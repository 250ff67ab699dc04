package io.miaobu.server.build.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.miaobu.server.ratelimit.MutableClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DependencyCacheTest {

    /** Prepared copies are made at once, on the calling thread. */
    private static final Executor AT_ONCE = Runnable::run;
    /** Prepared copies are never made: every restore copies the entry. */
    private static final Executor NEVER = task -> { };
    private static final long PROJECT = 7;

    @TempDir
    Path temp;

    private final MutableClock clock = new MutableClock();

    @Test
    void missesThenHits() throws IOException {
        DependencyCache cache = cache(AT_ONCE);
        Path first = installedProject("first", "lock-1");
        CacheKey key = key(first);

        assertThat(cache.restore(key, first.resolveSibling("empty")).outcome())
                .isEqualTo(RestoreResult.Outcome.MISS);
        SaveResult saved = cache.save(key, first);
        assertThat(saved.outcome()).isEqualTo(SaveResult.Outcome.SAVED);
        assertThat(saved.files()).isEqualTo(7);

        Path second = checkout("second", "lock-1");
        RestoreResult restored = cache.restore(key(second), second);

        assertThat(restored.outcome()).isEqualTo(RestoreResult.Outcome.HIT);
        assertThat(restored.fromPrepared()).isTrue();
        assertThat(restored.files()).isEqualTo(saved.files());
        assertThat(restored.bytes()).isEqualTo(saved.bytes());
        assertThat(restored.describe()).startsWith("Dependency cache: restored 7 files");
        assertThat(cache.save(key(second), second).outcome()).isEqualTo(SaveResult.Outcome.ALREADY_CACHED);
    }

    @ParameterizedTest(name = "prepared copy: {0}")
    @ValueSource(booleans = {true, false})
    void restoresTheSavedTreeExactly(boolean prepared) throws IOException {
        DependencyCache cache = cache(prepared ? AT_ONCE : NEVER);
        Path first = installedProject("first", "lock-1");
        Map<String, String> saved = snapshot(first.resolve("node_modules"));
        cache.save(key(first), first);

        Path second = checkout("second", "lock-1");
        RestoreResult restored = cache.restore(key(second), second);

        assertThat(restored.fromPrepared()).isEqualTo(prepared);
        Map<String, String> expected = new TreeMap<>(saved);
        expected.keySet().removeIf(path -> path.startsWith(".cache"));
        assertThat(snapshot(second.resolve("node_modules"))).isEqualTo(expected);
        assertThat(expected).containsEntry(".bin/vite", "link ../vite/bin/vite.js")
                .containsEntry("vite/bin/vite.js", "file rwxr-xr-x #!/usr/bin/env node")
                .containsEntry("left-pad/README.md", "file r--r--r-- read only")
                .containsEntry("@scope/pkg/lib/deep/index.js", "file rw-r--r-- module.exports = 1")
                .containsEntry("@scope/pkg/linked", "link ../../left-pad")
                .containsEntry("empty", "dir rwxr-xr-x");
        assertThat(Files.readString(second.resolve("node_modules/.bin/vite"))).isEqualTo("#!/usr/bin/env node");
    }

    @ParameterizedTest(name = "prepared copy: {0}")
    @ValueSource(booleans = {true, false})
    void aBuildWritingIntoRestoredFilesCannotChangeTheEntry(boolean prepared) throws IOException {
        DependencyCache cache = cache(prepared ? AT_ONCE : NEVER);
        Path first = installedProject("first", "lock-1");
        cache.save(key(first), first);
        Path build = checkout("build", "lock-1");
        cache.restore(key(build), build);
        Map<String, String> restored = snapshot(build.resolve("node_modules"));

        // what builds do: write in place (npm rewrites .package-lock.json, Prisma regenerates its client), append,
        // make writable and write (root needs no chmod), change modes, delete and add files
        Path modules = build.resolve("node_modules");
        Files.writeString(modules.resolve(".package-lock.json"), "rewritten", StandardOpenOption.TRUNCATE_EXISTING);
        Files.writeString(modules.resolve("vite/bin/vite.js"), "\nappended", StandardOpenOption.APPEND);
        Files.setPosixFilePermissions(modules.resolve("left-pad/README.md"), PosixFilePermissions.fromString(
                "rw-rw-rw-"));
        Files.writeString(modules.resolve("left-pad/README.md"), "written", StandardOpenOption.TRUNCATE_EXISTING);
        Files.setPosixFilePermissions(modules.resolve("@scope/pkg/lib/deep/index.js"),
                PosixFilePermissions.fromString("rwx------"));
        Files.delete(modules.resolve(".bin/vite"));
        Files.writeString(modules.resolve("left-pad/new.js"), "new");

        Path next = checkout("next", "lock-1");
        assertThat(cache.restore(key(next), next).hit()).isTrue();
        assertThat(snapshot(next.resolve("node_modules"))).isEqualTo(restored);
        Path tree = temp.resolve("cache").resolve(Long.toString(PROJECT)).resolve(key(next).digest())
                .resolve("tree/node_modules");
        assertThat(snapshot(tree)).isEqualTo(restored);
    }

    @Test
    void concurrentSavesOfOneKeyStoreOneEntry() throws Exception {
        // two cache objects on one directory behave like two server processes
        List<DependencyCache> caches = List.of(cache(NEVER), cache(NEVER));
        int saves = 6;
        List<Path> projects = new ArrayList<>();
        for (int i = 0; i < saves; i++) {
            projects.add(installedProject("p" + i, "lock-1"));
        }
        ExecutorService threads = Executors.newFixedThreadPool(saves);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<SaveResult>> results = new ArrayList<>();
            for (int i = 0; i < saves; i++) {
                DependencyCache cache = caches.get(i % 2);
                Path project = projects.get(i);
                results.add(threads.submit(() -> {
                    start.await();
                    return cache.save(key(project), project);
                }));
            }
            start.countDown();
            List<SaveResult.Outcome> outcomes = new ArrayList<>();
            for (Future<SaveResult> result : results) {
                outcomes.add(result.get(30, TimeUnit.SECONDS).outcome());
            }

            assertThat(outcomes).containsOnly(SaveResult.Outcome.SAVED, SaveResult.Outcome.ALREADY_CACHED)
                    .containsOnlyOnce(SaveResult.Outcome.SAVED);
        } finally {
            threads.shutdownNow();
        }
        assertThat(caches.get(0).usage().entries()).isEqualTo(1);
        try (Stream<Path> leftovers = Files.list(temp.resolve("cache/.work"))) {
            assertThat(leftovers).isEmpty();
        }
        Path restored = checkout("restored", "lock-1");
        assertThat(caches.get(1).restore(key(restored), restored).hit()).isTrue();
        assertThat(Files.readString(restored.resolve("node_modules/left-pad/index.js"))).matches("p\\d left-pad");
    }

    @Test
    void concurrentRestoresEachGetTheirOwnTree() throws Exception {
        DependencyCache cache = cache(AT_ONCE);
        Path first = installedProject("first", "lock-1");
        cache.save(key(first), first);
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<RestoreResult>> results = new ArrayList<>();
            List<Path> targets = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Path target = checkout("r" + i, "lock-1");
                targets.add(target);
                results.add(threads.submit(() -> {
                    start.await();
                    return cache.restore(key(target), target);
                }));
            }
            start.countDown();
            for (Future<RestoreResult> result : results) {
                assertThat(result.get(30, TimeUnit.SECONDS).hit()).isTrue();
            }
            for (Path target : targets) {
                assertThat(Files.readString(target.resolve("node_modules/left-pad/index.js")))
                        .isEqualTo("first left-pad");
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void evictsTheLeastRecentlyUsedEntriesBeyondTheCap() throws IOException {
        Path a = installedProject("a", "lock-a");
        long entryBytes = sizeOf(a.resolve("node_modules")) - sizeOf(a.resolve("node_modules/.cache"));
        // room for two entries, not three
        DependencyCache cache = new DependencyCache(temp.resolve("cache"), entryBytes * 2 + entryBytes / 2, clock,
                NEVER);
        Path b = installedProject("b", "lock-b");
        Path c = installedProject("c", "lock-c");
        Path d = installedProject("d", "lock-d");

        cache.save(key(a), a);
        clock.advance(Duration.ofMinutes(1));
        cache.save(key(b), b);
        clock.advance(Duration.ofMinutes(1));
        assertThat(cache.restore(key(a), checkout("a2", "lock-a")).hit()).isTrue(); // a is now newer than b
        clock.advance(Duration.ofMinutes(1));
        SaveResult savedC = cache.save(key(c), c);

        assertThat(savedC.evicted()).isEqualTo(1);
        assertThat(cache.restore(key(b), checkout("b2", "lock-b")).outcome()).isEqualTo(RestoreResult.Outcome.MISS);
        assertThat(cache.usage().entries()).isEqualTo(2);
        assertThat(cache.usage().totalBytes()).isLessThanOrEqualTo(cache.usage().capBytes());

        clock.advance(Duration.ofMinutes(1));
        cache.save(key(d), d);
        assertThat(cache.restore(key(a), checkout("a3", "lock-a")).outcome()).isEqualTo(RestoreResult.Outcome.MISS);
        assertThat(cache.restore(key(c), checkout("c2", "lock-c")).hit()).isTrue();
        assertThat(cache.restore(key(d), checkout("d2", "lock-d")).hit()).isTrue();
    }

    @Test
    void countsPreparedCopiesInTheUsage() throws IOException {
        DependencyCache cache = cache(AT_ONCE);
        Path first = installedProject("first", "lock-1");
        SaveResult saved = cache.save(key(first), first);

        CacheUsage usage = cache.usage();

        assertThat(usage.entries()).isEqualTo(1);
        assertThat(usage.totalBytes()).isEqualTo(2 * saved.bytes());
        assertThat(usage.projects()).containsEntry(PROJECT, new CacheUsage.ProjectUsage(2 * saved.bytes(), 1));
    }

    @Test
    void refusesAnEntryThatWouldNotFitWithItsPreparedCopy() throws IOException {
        Path first = installedProject("first", "lock-1");
        DependencyCache cache = new DependencyCache(temp.resolve("cache"), sizeOf(first.resolve("node_modules")),
                clock, AT_ONCE);

        SaveResult saved = cache.save(key(first), first);

        assertThat(saved.outcome()).isEqualTo(SaveResult.Outcome.TOO_LARGE);
        assertThat(cache.usage().entries()).isZero();
    }

    @Test
    void clearsOneProject() throws IOException {
        DependencyCache cache = cache(NEVER);
        Path one = installedProject("one", "lock-1");
        Path two = installedProject("two", "lock-1");
        cache.save(key(one), one);
        cache.save(CacheKey.of(8, two, "", "npm", "20"), two);

        CacheUsage.ProjectUsage removed = cache.clear(PROJECT);

        assertThat(removed.entries()).isEqualTo(1);
        assertThat(removed.bytes()).isPositive();
        assertThat(cache.usage().projects()).containsOnlyKeys(8L);
        assertThat(cache.restore(key(one), checkout("one2", "lock-1")).outcome())
                .isEqualTo(RestoreResult.Outcome.MISS);
        Path other = checkout("two2", "lock-1");
        assertThat(cache.restore(CacheKey.of(8, other, "", "npm", "20"), other).hit()).isTrue();
    }

    @Test
    void doesNotCacheAProjectWithoutALockfile() throws IOException {
        DependencyCache cache = cache(AT_ONCE);
        Path project = installedProject("first", "lock-1");
        Files.delete(project.resolve("package-lock.json"));
        CacheKey key = key(project);

        RestoreResult restored = cache.restore(key, project);
        SaveResult saved = cache.save(key, project);

        assertThat(key.cacheable()).isFalse();
        assertThat(restored.outcome()).isEqualTo(RestoreResult.Outcome.NOT_CACHEABLE);
        assertThat(restored.describe()).isEqualTo(
                "Dependency cache: not used: the project has no package-lock.json or npm-shrinkwrap.json.");
        assertThat(saved.outcome()).isEqualTo(SaveResult.Outcome.NOT_CACHEABLE);
        assertThat(cache.usage().entries()).isZero();
    }

    @Test
    void leavesANodeModulesThatIsAlreadyThereAlone() throws IOException {
        DependencyCache cache = cache(AT_ONCE);
        Path first = installedProject("first", "lock-1");
        cache.save(key(first), first);
        Path committed = checkout("committed", "lock-1");
        Files.createDirectories(committed.resolve("node_modules/mine"));
        Files.writeString(committed.resolve("node_modules/mine/index.js"), "mine");

        RestoreResult restored = cache.restore(key(committed), committed);

        assertThat(restored.outcome()).isEqualTo(RestoreResult.Outcome.MISS);
        assertThat(restored.detail()).contains("already in the project");
        try (Stream<Path> children = Files.list(committed.resolve("node_modules"))) {
            assertThat(children).containsExactly(committed.resolve("node_modules/mine"));
        }
    }

    @Test
    void reportsNothingToSaveWithoutNodeModules() throws IOException {
        DependencyCache cache = cache(AT_ONCE);
        Path project = checkout("bare", "lock-1");

        assertThat(cache.save(key(project), project).outcome()).isEqualTo(SaveResult.Outcome.NOTHING_TO_SAVE);
    }

    @Test
    void anInterruptedRestoreLeavesNothingBehind() throws IOException {
        DependencyCache cache = cache(NEVER);
        Path first = installedProject("first", "lock-1");
        cache.save(key(first), first);
        Path target = checkout("target", "lock-1");

        RestoreResult restored;
        Thread.currentThread().interrupt();
        try {
            restored = cache.restore(key(target), target);
        } finally {
            Thread.interrupted();
        }

        assertThat(restored.outcome()).isEqualTo(RestoreResult.Outcome.MISS);
        assertThat(target.resolve("node_modules")).doesNotExist();
        assertThat(cache.restore(key(target), target).hit()).isTrue();
    }

    @Test
    void neverHandsOutAnEntryThatLostFiles() throws IOException {
        DependencyCache cache = cache(NEVER);
        Path first = installedProject("first", "lock-1");
        cache.save(key(first), first);
        // what an rm -rf running at the same moment as the restore would leave
        Files.delete(temp.resolve("cache").resolve(Long.toString(PROJECT)).resolve(key(first).digest())
                .resolve("tree/node_modules/left-pad/index.js"));
        Path target = checkout("target", "lock-1");

        RestoreResult restored = cache.restore(key(target), target);

        assertThat(restored.outcome()).isEqualTo(RestoreResult.Outcome.MISS);
        assertThat(restored.detail()).contains("changed while it was copied");
        assertThat(target.resolve("node_modules")).doesNotExist();
    }

    @Test
    void removesWorkThatACrashedProcessLeftBehind() throws IOException {
        Path work = temp.resolve("cache/.work");
        Files.createDirectories(work);
        long now = clock.millis();
        Path abandoned = work.resolve("save-" + (now - Duration.ofHours(25).toMillis()) + "-x");
        Path recent = work.resolve("save-" + (now - Duration.ofMinutes(5).toMillis()) + "-y");
        Path trash = work.resolve("trash-" + now + "-z");
        for (Path directory : List.of(abandoned, recent, trash)) {
            Files.createDirectories(directory.resolve("tree/node_modules"));
            Files.writeString(directory.resolve("tree/node_modules/a.js"), "a");
        }

        cache(NEVER);

        assertThat(abandoned).doesNotExist();
        assertThat(trash).doesNotExist();
        assertThat(recent).exists(); // perhaps another process's save in progress
    }

    private DependencyCache cache(Executor background) {
        return new DependencyCache(temp.resolve("cache"), DependencyCache.DEFAULT_CAP_BYTES, clock, background);
    }

    private static CacheKey key(Path project) {
        return CacheKey.of(PROJECT, project, "", "npm", "20");
    }

    /** A fresh checkout: package.json and the lockfile, nothing installed. */
    private Path checkout(String name, String lock) throws IOException {
        Path project = temp.resolve("projects").resolve(name);
        Files.createDirectories(project);
        Files.writeString(project.resolve("package.json"), "{\"dependencies\":{\"left-pad\":\"1.0.0\"}}");
        Files.writeString(project.resolve("package-lock.json"), lock);
        return project;
    }

    /** A checkout after its install: node_modules with the shapes real ones have. */
    private Path installedProject(String name, String lock) throws IOException {
        Path project = checkout(name, lock);
        Path modules = project.resolve("node_modules");
        write(modules.resolve("left-pad/index.js"), name + " left-pad", "rw-r--r--");
        write(modules.resolve("left-pad/README.md"), "read only", "r--r--r--");
        write(modules.resolve("vite/bin/vite.js"), "#!/usr/bin/env node", "rwxr-xr-x");
        write(modules.resolve("@scope/pkg/lib/deep/index.js"), "module.exports = 1", "rw-r--r--");
        write(modules.resolve(".package-lock.json"), "{\"lockfileVersion\":3}", "rw-r--r--");
        write(modules.resolve(".cache/babel-loader/x.json"), "build cache", "rw-r--r--");
        Files.createDirectories(modules.resolve(".bin"));
        Files.createSymbolicLink(modules.resolve(".bin/vite"), Path.of("../vite/bin/vite.js"));
        Files.createSymbolicLink(modules.resolve("@scope/pkg/linked"), Path.of("../../left-pad"));
        Files.createDirectories(modules.resolve("empty"));
        return project;
    }

    private static void write(Path file, String content, String permissions) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
    }

    /** Every entry below {@code root}: what it is, its mode, its content or link text. */
    private static Map<String, String> snapshot(Path root) throws IOException {
        Map<String, String> entries = new TreeMap<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (!dir.equals(root)) {
                    entries.put(name(dir), "dir " + mode(dir));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                entries.put(name(file), attrs.isSymbolicLink() ? "link " + Files.readSymbolicLink(file)
                        : "file " + mode(file) + " " + Files.readString(file, StandardCharsets.UTF_8));
                return FileVisitResult.CONTINUE;
            }

            private String name(Path path) {
                return root.relativize(path).toString();
            }
        });
        return entries;
    }

    private static String mode(Path path) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long sizeOf(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(path -> Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)).mapToLong(path -> {
                try {
                    return Files.size(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        }
    }
}
