package io.miaobu.server.build.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CacheKeyTest {

    @TempDir
    Path project;

    @Test
    void isTheSameForTheSameInputs() throws IOException {
        Files.writeString(project.resolve("package-lock.json"), "lock");

        CacheKey key = CacheKey.of(1, project, "site", "npm", "20");

        assertThat(key).isEqualTo(CacheKey.of(1, project, "site/", "npm", " 20 "));
        assertThat(key.digest()).hasSize(64);
        assertThat(key.lockfile()).isEqualTo("package-lock.json");
        assertThat(key.directories()).containsExactly("node_modules");
    }

    @Test
    void changesWithTheLockfileNodeVersionPackageManagerAndRootDirectory() throws IOException {
        Files.writeString(project.resolve("package-lock.json"), "lock");
        Files.writeString(project.resolve("yarn.lock"), "lock");
        Files.writeString(project.resolve("pnpm-lock.yaml"), "lock");
        String base = CacheKey.of(1, project, "", "npm", "20").digest();

        assertThat(CacheKey.of(1, project, "", "npm", "22").digest()).isNotEqualTo(base);
        assertThat(CacheKey.of(1, project, "", "yarn", "20").digest()).isNotEqualTo(base);
        assertThat(CacheKey.of(1, project, "", "pnpm", "20").digest()).isNotEqualTo(base);
        assertThat(CacheKey.of(1, project, "web", "npm", "20").digest()).isNotEqualTo(base);
        Files.writeString(project.resolve("package-lock.json"), "lock changed");
        assertThat(CacheKey.of(1, project, "", "npm", "20").digest()).isNotEqualTo(base);
    }

    @Test
    void readsTheLockfileOfThePackageManager() throws IOException {
        Files.writeString(project.resolve("package-lock.json"), "lock");
        Files.writeString(project.resolve("npm-shrinkwrap.json"), "shrinkwrap");

        assertThat(CacheKey.of(1, project, "", "npm", "20").lockfile()).isEqualTo("npm-shrinkwrap.json");
        assertThat(CacheKey.of(1, project, "", "yarn", "20").cacheable()).isFalse();
        assertThat(CacheKey.of(1, project, "", "", "20").cacheable()).isFalse();
        assertThat(CacheKey.of(1, project, "", "bun", "20").cacheable()).isFalse();
    }

    @Test
    void isNotCacheableWithoutALockfile() {
        CacheKey key = CacheKey.of(1, project, "", "npm", "20");

        assertThat(key.cacheable()).isFalse();
        assertThat(key.digest()).isEmpty();
        assertThat(key.directories()).isEmpty();
    }

    @Test
    void alsoCachesAPnpmStoreConfiguredInsideTheProject() throws IOException {
        Files.writeString(project.resolve("pnpm-lock.yaml"), "lock");
        assertThat(CacheKey.of(1, project, "", "pnpm", "20").directories()).containsExactly("node_modules");

        Files.writeString(project.resolve(".npmrc"), "registry=https://example.test/\nstore-dir = .pnpm-store\n");
        assertThat(CacheKey.of(1, project, "", "pnpm", "20").directories())
                .containsExactly("node_modules", ".pnpm-store");

        Files.writeString(project.resolve(".npmrc"), "store-dir=../shared-store\n");
        assertThat(CacheKey.of(1, project, "", "pnpm", "20").directories()).containsExactly("node_modules");

        Files.writeString(project.resolve(".npmrc"), "store-dir=${HOME}/store\n");
        assertThat(CacheKey.of(1, project, "", "pnpm", "20").directories()).containsExactly("node_modules");

        Files.delete(project.resolve(".npmrc"));
        Files.writeString(project.resolve("pnpm-workspace.yaml"), "packages:\n  - 'apps/*'\nstoreDir: 'cache/pnpm'\n");
        assertThat(CacheKey.of(1, project, "", "pnpm", "20").directories())
                .containsExactly("node_modules", "cache/pnpm");
    }

    @Test
    void takesTheMajorOfANodeVersion() {
        assertThat(CacheKey.nodeMajor("v20.20.2")).isEqualTo("20");
        assertThat(CacheKey.nodeMajor("22.1.0")).isEqualTo("22");
        assertThat(CacheKey.nodeMajor("18")).isEqualTo("18");
        assertThat(CacheKey.nodeMajor("lts/iron")).isEqualTo("lts/iron");
    }
}
