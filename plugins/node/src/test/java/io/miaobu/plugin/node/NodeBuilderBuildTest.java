package io.miaobu.plugin.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.miaobu.api.ExtensionException;
import io.miaobu.api.build.BuildOutput;
import io.miaobu.api.build.BuildPlan;
import io.miaobu.api.testkit.RecordingTaskLog;
import io.miaobu.api.testkit.TestBuildContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs real node and npm on sites whose scripts need nothing from a registry. */
class NodeBuilderBuildTest {

    private final NodeBuilder builder = new NodeBuilder();
    private final RecordingTaskLog log = new RecordingTaskLog();

    @TempDir
    Path site;

    @BeforeEach
    void writeSite() throws Exception {
        write("package.json", """
                {"name": "hand-made", "private": true, "scripts": {"build": "node build.js"}}
                """);
        write("build.js", """
                const fs = require('fs');
                fs.mkdirSync('dist', {recursive: true});
                fs.writeFileSync('dist/index.html', '<h1>built</h1>');
                console.log('wrote dist/index.html');
                """);
    }

    @Test
    void runsTheBuildScriptAndReturnsTheOutputDirectory() throws Exception {
        BuildPlan plan = builder.detect(site).orElseThrow();

        BuildOutput output = builder.build(TestBuildContext.of(site, plan, log));

        assertThat(output.directory()).isEqualTo(site.resolve("dist"));
        assertThat(site.resolve("dist/index.html")).hasContent("<h1>built</h1>");
        assertThat(log.lines(RecordingTaskLog.Level.INFO)).contains("Running build: npm run build");
        assertThat(log.lines(RecordingTaskLog.Level.OUTPUT)).contains("wrote dist/index.html");
        assertThat(log.text()).doesNotContain("Running install");
    }

    @Test
    void runsInstallBeforeBuild() throws Exception {
        write("install.js", "require('fs').writeFileSync('installed', 'yes');");
        write("build.js", """
                const fs = require('fs');
                if (!fs.existsSync('installed')) process.exit(9);
                fs.mkdirSync('dist');
                fs.writeFileSync('dist/index.html', 'ok');
                """);
        BuildPlan plan = builder.detect(site).orElseThrow().withOverrides("node install.js", null, null);

        builder.build(TestBuildContext.of(site, plan, log));

        assertThat(log.lines(RecordingTaskLog.Level.INFO))
                .containsSubsequence("Running install: node install.js", "Running build: npm run build");
    }

    @Test
    void keepsARestoredNodeModulesInsteadOfRunningNpmCi() throws Exception {
        // a dependency npm installs without a registry: a tarball in the repository
        Files.createDirectories(site.resolve("lib"));
        write("lib/package.json", "{\"name\": \"lib\", \"version\": \"1.0.0\"}");
        npm(site.resolve("lib"), "pack");
        write("package.json", """
                {"name": "with-deps", "private": true, "scripts": {"build": "node build.js"},
                 "dependencies": {"lib": "file:./lib/lib-1.0.0.tgz"}}
                """);
        write("build.js", """
                const fs = require('fs');
                if (!fs.existsSync('node_modules/lib/restored.txt')) process.exit(9);
                fs.mkdirSync('dist');
                fs.writeFileSync('dist/index.html', 'ok');
                """);
        npm(site, "install", "--no-audit", "--no-fund");
        write("node_modules/lib/restored.txt", "as the dependency cache restored it");
        BuildPlan plan = builder.detect(site).orElseThrow();

        builder.build(TestBuildContext.of(site, plan, log));

        assertThat(plan.installCommand()).isEqualTo("npm ci");
        assertThat(log.lines(RecordingTaskLog.Level.INFO))
                .contains("Running install: npm install --prefer-offline --no-audit --no-fund");
        assertThat(log.text()).contains("up to date");
        assertThat(site.resolve("node_modules/lib/restored.txt")).exists();
    }

    @Test
    void reportsTheExitCodeOfAFailingBuild() throws Exception {
        write("build.js", "console.error('something broke'); process.exit(3);");
        BuildPlan plan = builder.detect(site).orElseThrow();

        assertThatThrownBy(() -> builder.build(TestBuildContext.of(site, plan, log)))
                .isInstanceOf(ExtensionException.class)
                .hasMessage("Build command failed with exit code 3: npm run build");
        assertThat(log.text()).contains("something broke");
    }

    @Test
    void reportsTheExitCodeOfAFailingInstallAndDoesNotBuild() throws Exception {
        BuildPlan plan = builder.detect(site).orElseThrow().withOverrides("node -e 'process.exit(2)'", null, null);

        assertThatThrownBy(() -> builder.build(TestBuildContext.of(site, plan, log)))
                .isInstanceOf(ExtensionException.class)
                .hasMessage("Install command failed with exit code 2: node -e 'process.exit(2)'");
        assertThat(log.text()).doesNotContain("Running build");
    }

    @Test
    void reportsABuildThatTimesOut() throws Exception {
        BuildPlan plan = builder.detect(site).orElseThrow()
                .withOverrides(null, "node -e 'setTimeout(() => {}, 60000)'", null);
        TestBuildContext context = TestBuildContext.of(site, plan, log)
                .withTimeouts(Duration.ofMinutes(1), Duration.ofSeconds(1));

        assertThatThrownBy(() -> builder.build(context))
                .isInstanceOf(ExtensionException.class)
                .hasMessage("Build command timed out after 1s: node -e 'setTimeout(() => {}, 60000)'");
    }

    @Test
    void reportsAMissingOutputDirectory() throws Exception {
        write("build.js", "require('fs').mkdirSync('public');");
        BuildPlan plan = builder.detect(site).orElseThrow();

        assertThatThrownBy(() -> builder.build(TestBuildContext.of(site, plan, log)))
                .isInstanceOf(ExtensionException.class)
                .hasMessage("Output directory 'dist' was not found after the build. "
                        + "Set the output directory in the project settings.");
    }

    @Test
    void refusesAnOutputDirectoryThatEscapesTheProjectBeforeBuilding() throws Exception {
        BuildPlan plan = builder.detect(site).orElseThrow().withOverrides(null, null, "dist/../../elsewhere");

        assertThatThrownBy(() -> builder.build(TestBuildContext.of(site, plan, log)))
                .isInstanceOf(ExtensionException.class)
                .hasMessage("Output directory 'dist/../../elsewhere' is outside the project. "
                        + "Set the output directory in the project settings.");
        assertThat(log.text()).doesNotContain("Running build");
    }

    @Test
    void refusesAnAbsoluteOutputDirectory() throws Exception {
        BuildPlan plan = builder.detect(site).orElseThrow().withOverrides(null, null, site.resolve("dist").toString());

        assertThatThrownBy(() -> builder.build(TestBuildContext.of(site, plan, log)))
                .isInstanceOf(ExtensionException.class)
                .hasMessageContaining("must be a path relative to the project");
    }

    @Test
    void refusesAnOutputDirectoryThatLinksOutsideTheProject(@TempDir Path elsewhere) throws Exception {
        write("build.js", "require('fs').symlinkSync(process.argv[2], 'dist');");
        BuildPlan plan = builder.detect(site).orElseThrow()
                .withOverrides(null, "node build.js '" + elsewhere + "'", null);

        assertThatThrownBy(() -> builder.build(TestBuildContext.of(site, plan, log)))
                .isInstanceOf(ExtensionException.class)
                .hasMessageStartingWith("Output directory 'dist' links outside the project.");
    }

    @Test
    void publishesAStaticSiteAsItIs() throws Exception {
        Files.delete(site.resolve("package.json"));
        write("index.html", "<h1>static</h1>");
        BuildPlan plan = builder.detect(site).orElseThrow();

        BuildOutput output = builder.build(TestBuildContext.of(site, plan, log));

        assertThat(output.directory()).isEqualTo(site);
        assertThat(log.text()).doesNotContain("Running");
    }

    @Test
    void formatsDurationsTheWayPeopleWriteThem() {
        assertThat(NodeBuilder.format(Duration.ofSeconds(90))).isEqualTo("1m 30s");
        assertThat(NodeBuilder.format(Duration.ofMinutes(15))).isEqualTo("15m");
        assertThat(NodeBuilder.format(Duration.ofHours(1).plusMinutes(5))).isEqualTo("1h 5m");
        assertThat(NodeBuilder.format(Duration.ofMillis(250))).isEqualTo("250ms");
    }

    private static void npm(Path dir, String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("npm"));
        argv.addAll(List.of(args));
        Process npm = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(npm.waitFor()).isZero();
    }

    private void write(String name, String content) throws Exception {
        Files.writeString(site.resolve(name), content);
    }
}
