package io.miaobu.plugin.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.miaobu.api.ExtensionException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The build context and the tag, without an engine. */
class ProjectImageTest {

    private static final String BASE = "node:20-alpine";

    @TempDir
    Path source;

    @BeforeEach
    void writeContext() throws Exception {
        write(".miaobu/build.Dockerfile", "FROM node:20-alpine\nCOPY tools/ /opt/tools/\n");
        write(".miaobu/tools/run.sh", "#!/bin/sh\necho run\n");
        write("package.json", "{}");
        write("src/app.js", "console.log('not in the context')");
    }

    @Test
    void aProjectWithoutTheDockerfileHasNoBuildImage() throws Exception {
        Files.delete(source.resolve(".miaobu/build.Dockerfile"));

        assertThat(ProjectImage.find(source, "site", BASE)).isEmpty();
    }

    @Test
    void theTagNamesTheProjectAndDigestsTheContext() {
        ProjectImage image = ProjectImage.find(source, "my-site", BASE).orElseThrow();

        assertThat(image.tag()).matches("miaobu-build/my-site:[0-9a-f]{12}");
        assertThat(image.repository()).isEqualTo("miaobu-build/my-site");
        assertThat(image.fileCount()).isEqualTo(2);
        assertThat(image.buildArgs()).isEqualTo(Map.of("MIAOBU_BASE_IMAGE", BASE));
        assertThat(image.usesBaseImageArg()).isFalse();
        assertThat(ProjectImage.find(source, "my-site", BASE).orElseThrow().tag()).isEqualTo(image.tag());
    }

    @Test
    void theTagChangesWithTheDockerfileAContextFileItsModeOrTheBaseImageButNotWithTheRestOfTheRepository()
            throws Exception {
        String original = tag();
        write("src/app.js", "console.log('changed')");
        write("README.md", "new");
        assertThat(tag()).isEqualTo(original);

        write(".miaobu/build.Dockerfile", "FROM node:20-alpine\nCOPY tools/ /opt/tools/\nRUN true\n");
        String changedDockerfile = tag();
        write(".miaobu/tools/run.sh", "#!/bin/sh\necho run faster\n");
        String changedFile = tag();
        Files.setPosixFilePermissions(source.resolve(".miaobu/tools/run.sh"),
                PosixFilePermissions.fromString("rwxr-xr-x"));
        String changedMode = tag();
        String otherBase = ProjectImage.find(source, "site", "node:22-alpine").orElseThrow().tag();

        assertThat(new String[] {original, changedDockerfile, changedFile, changedMode, otherBase})
                .doesNotHaveDuplicates();
    }

    @Test
    void theContextIsTheMiaobuDirectoryOnlyWithLinksKeptAsLinks() throws Exception {
        Path serverFile = Files.writeString(source.getParent().resolve("server-secret-" + source.getFileName()),
                "server secret");
        try {
            Files.createSymbolicLink(source.resolve(".miaobu/secret"), serverFile);
            Files.setPosixFilePermissions(source.resolve(".miaobu/tools/run.sh"),
                    PosixFilePermissions.fromString("rwxr-xr-x"));
            var tar = new ByteArrayOutputStream();

            ProjectImage.find(source, "site", BASE).orElseThrow().writeTar(tar);

            Map<String, TarArchiveEntry> entries = new LinkedHashMap<>();
            var contents = new StringBuilder();
            try (var in = new TarArchiveInputStream(new ByteArrayInputStream(tar.toByteArray()))) {
                for (TarArchiveEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                    entries.put(entry.getName(), entry);
                    contents.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
            assertThat(entries.keySet()).containsExactly("build.Dockerfile", "secret", "tools/", "tools/run.sh");
            assertThat(entries.get("secret").isSymbolicLink()).isTrue();
            assertThat(entries.get("secret").getLinkName()).isEqualTo(serverFile.toString());
            assertThat(entries.get("tools/run.sh").getMode() & 0777).isEqualTo(0755);
            assertThat(entries.get("build.Dockerfile").getMode() & 0777).isEqualTo(0644);
            assertThat(contents.toString()).doesNotContain("server secret").doesNotContain("not in the context")
                    .contains("echo run");
        } finally {
            Files.delete(serverFile);
        }
    }

    @Test
    void aMiaobuDirectoryThatIsALinkIsRefused() throws Exception {
        Path elsewhere = Files.createDirectories(source.resolve("elsewhere"));
        Files.move(source.resolve(".miaobu/build.Dockerfile"), elsewhere.resolve("build.Dockerfile"));
        Files.delete(source.resolve(".miaobu/tools/run.sh"));
        Files.delete(source.resolve(".miaobu/tools"));
        Files.delete(source.resolve(".miaobu"));
        Files.createSymbolicLink(source.resolve(".miaobu"), elsewhere);

        assertThatThrownBy(() -> ProjectImage.find(source, "site", BASE))
                .isInstanceOf(ExtensionException.class)
                .hasMessage("'.miaobu' is a link; for a build image it must be a directory in the repository.");
    }

    @Test
    void repositoryNamesAreValidForDocker() {
        assertThat(ProjectImage.repository("my-site")).isEqualTo("miaobu-build/my-site");
        assertThat(ProjectImage.repository("My Site_2")).isEqualTo("miaobu-build/my-site-2");
        assertThat(ProjectImage.repository("--")).isEqualTo("miaobu-build/project");
    }

    @Test
    void noticesADockerfileBuiltOnTheAdminsImage() throws Exception {
        write(".miaobu/build.Dockerfile", "ARG MIAOBU_BASE_IMAGE\nFROM ${MIAOBU_BASE_IMAGE}\n");

        assertThat(ProjectImage.find(source, "site", BASE).orElseThrow().usesBaseImageArg()).isTrue();
    }

    private String tag() {
        return ProjectImage.find(source, "site", BASE).orElseThrow().tag();
    }

    private void write(String path, String content) throws Exception {
        Path file = source.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }
}
