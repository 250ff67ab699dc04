package io.miaobu.server.site;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileCacheTest {

    @TempDir
    Path root;

    @Test
    void keepsFilesInMemoryOnlyWithinTheBudget() throws Exception {
        Files.writeString(root.resolve("a.txt"), "a".repeat(80));
        Files.writeString(root.resolve("b.txt"), "b".repeat(80));
        FileCache cache = new FileCache(100, 1000, 100, Long.MAX_VALUE);
        FileCache.Deployment deployment = cache.deployment(root, 0);

        StaticFile a = (StaticFile) deployment.resolve("/a.txt", 0);
        StaticFile b = (StaticFile) deployment.resolve("/b.txt", 0);

        assertThat(a.content).isNotNull();
        assertThat(b.content).as("over budget: streamed from disk").isNull();
        assertThat(b.size).isEqualTo(80);
        assertThat(cache.usedBytes()).isEqualTo(80);
    }

    @Test
    void dropsDeploymentsNobodyAsksForWhenMemoryRunsOut() throws Exception {
        Path old = Files.createDirectories(root.resolve("old"));
        Path live = Files.createDirectories(root.resolve("live"));
        Files.writeString(old.resolve("a.txt"), "a".repeat(80));
        Files.writeString(live.resolve("a.txt"), "b".repeat(80));
        FileCache cache = new FileCache(100, 1000, 100, Long.MAX_VALUE);
        cache.deployment(old, 0).resolve("/a.txt", 0);

        long aMinuteLater = 60_000_000_000L;
        StaticFile fresh = (StaticFile) cache.deployment(live, aMinuteLater).resolve("/a.txt", aMinuteLater);

        assertThat(fresh.content).isNotNull();
        assertThat(cache.usedBytes()).isEqualTo(80);
    }

    @Test
    void neverHoldsFilesLargerThanTheLimitInMemory() throws Exception {
        Files.writeString(root.resolve("big.txt"), "x".repeat(2000));
        FileCache cache = new FileCache(1 << 20, 1000, 100, Long.MAX_VALUE);

        StaticFile big = (StaticFile) cache.deployment(root, 0).resolve("/big.txt", 0);

        assertThat(big.content).isNull();
        assertThat(cache.usedBytes()).isZero();
    }

    @Test
    void releasesMemoryWhenAFileIsReplaced() throws Exception {
        Path file = root.resolve("page.html");
        Files.writeString(file, "first");
        FileCache cache = new FileCache(1 << 20, 1000, 100, 0);
        FileCache.Deployment deployment = cache.deployment(root, 0);
        deployment.resolve("/page.html", 0);

        Path replacement = Files.writeString(root.resolve("page.tmp"), "second, longer");
        Files.move(replacement, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        StaticFile page = (StaticFile) deployment.resolve("/page.html", 1);

        assertThat(page.size).isEqualTo(14);
        assertThat(cache.usedBytes()).isEqualTo(14);
    }

    @Test
    void boundsThePathsRememberedPerDeployment() throws Exception {
        for (int i = 0; i < 5; i++) {
            Files.writeString(root.resolve(i + ".txt"), "file " + i);
        }
        FileCache cache = new FileCache(1 << 20, 1000, 2, Long.MAX_VALUE);
        FileCache.Deployment deployment = cache.deployment(root, 0);

        for (int i = 0; i < 5; i++) {
            assertThat(deployment.resolve("/" + i + ".txt", 0)).isInstanceOf(StaticFile.class);
            assertThat(deployment.resolve("/missing-" + i, 0)).isNull();
        }
        assertThat(deployment.entries).hasSize(2);
    }

    @Test
    void classifiesDirectoriesAndEscapes() throws Exception {
        Files.createDirectories(root.resolve("docs"));
        Files.writeString(root.resolve("docs/index.html"), "docs");
        Path outside = Files.createTempFile("outside", ".txt");
        try {
            Files.createSymbolicLink(root.resolve("escape.txt"), outside);
            FileCache.Deployment deployment = new FileCache(1 << 20, 1000, 100, Long.MAX_VALUE).deployment(root, 0);

            assertThat(deployment.resolve("/docs", 0)).isInstanceOf(FileCache.DirectoryRedirect.class);
            assertThat(deployment.resolve("/docs/", 0)).isInstanceOf(StaticFile.class);
            assertThat(deployment.resolve("/escape.txt", 0)).isInstanceOf(FileCache.OutsideRoot.class);
            assertThat(deployment.resolve("/docs/index.html/", 0)).isNull();
        } finally {
            Files.delete(outside);
        }
    }

    @Test
    void aMissingRootIsNoDeployment() {
        assertThat(new FileCache(1, 1, 1, 1).deployment(root.resolve("gone"), 0)).isNull();
    }
}
