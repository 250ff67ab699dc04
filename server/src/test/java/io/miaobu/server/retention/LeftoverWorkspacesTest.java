package io.miaobu.server.retention;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeftoverWorkspacesTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    @TempDir
    Path workspaces;

    private Path workspace(String name, Duration age) throws Exception {
        Path directory = Files.createDirectories(workspaces.resolve(name).resolve("src"));
        Files.writeString(directory.resolve("index.html"), "<h1>hi</h1>");
        Files.setLastModifiedTime(workspaces.resolve(name), FileTime.from(NOW.minus(age)));
        return workspaces.resolve(name);
    }

    @Test
    void removesWorkspacesOlderThanADayUnlessTheirBuildStillRuns() throws Exception {
        Path crashed = workspace("41", Duration.ofDays(3));
        Path stillBuilding = workspace("42", Duration.ofDays(2));
        Path recent = workspace("43", Duration.ofHours(2));
        Path stray = workspace("not-a-deployment", Duration.ofHours(25));

        int removed = new LeftoverWorkspaces(workspaces).sweep(NOW, id -> id == 42);

        assertThat(removed).isEqualTo(2);
        assertThat(crashed).doesNotExist();
        assertThat(stray).doesNotExist();
        assertThat(stillBuilding.resolve("src/index.html")).exists();
        assertThat(recent.resolve("src/index.html")).exists();
    }

    @Test
    void copesWithNoWorkspacesDirectory() {
        assertThat(new LeftoverWorkspaces(workspaces.resolve("missing")).sweep(NOW, id -> false)).isZero();
    }
}
