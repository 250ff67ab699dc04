package io.miaobu.plugin.docker;

import static org.assertj.core.api.Assertions.assertThat;

import io.miaobu.api.build.BuildPlan;
import io.miaobu.api.build.BuildRunner;
import io.miaobu.api.build.CommandResult;
import io.miaobu.api.build.CommandSpec;
import io.miaobu.api.testkit.RecordingTaskLog;
import io.miaobu.api.testkit.TestHostInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real npm install and build in a container without network: the only dependency is a local package. */
class NpmInDockerTest {

    private static TestEngine engine;

    @TempDir
    Path temp;

    @BeforeAll
    static void connect() throws InterruptedException {
        engine = TestEngine.require();
    }

    @AfterAll
    static void disconnect() {
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    void installsAndBuildsAndLeavesFilesTheServerCanReadAndDelete() throws Exception {
        Path site = Files.createDirectories(temp.resolve("site"));
        write(site.resolve("package.json"), """
                {"name": "docker-site", "version": "1.0.0", "private": true,
                 "scripts": {"build": "node build.js"},
                 "dependencies": {"shout": "file:./shout"}}
                """);
        write(site.resolve("shout/package.json"), """
                {"name": "shout", "version": "1.0.0", "main": "index.js"}
                """);
        write(site.resolve("shout/index.js"), "module.exports = (s) => s.toUpperCase() + '!';\n");
        write(site.resolve("build.js"), """
                const fs = require('fs');
                const shout = require('shout');
                fs.mkdirSync('dist/assets', {recursive: true});
                fs.writeFileSync('dist/index.html', '<h1>' + shout('built in docker') + '</h1>');
                fs.writeFileSync('dist/assets/app.js', 'console.log(1)');
                console.log('wrote dist as uid ' + process.getuid());
                """);
        var log = new RecordingTaskLog();
        BuildRunner runner = new DockerBuildRunner(new TestHostInfo(temp.resolve("home")))
                .forBuild(TestEngine.settings(), new BuildPlan("static", "npm", "npm install", "npm run build",
                        "dist", "20"));
        Map<String, String> environment = Map.of("CI", "true", "MIAOBU", "true", "MIAOBU_PROJECT", "npm-test",
                "MIAOBU_DEPLOYMENT_ID", "1");

        CommandResult install = runner.run(CommandSpec.shell("npm install --no-audit --no-fund", site, environment,
                Duration.ofMinutes(2)), log);
        CommandResult build = runner.run(CommandSpec.shell("npm run build", site, environment,
                Duration.ofMinutes(2)), log);

        assertThat(install.succeeded()).as(log.text()).isTrue();
        assertThat(build.succeeded()).as(log.text()).isTrue();
        assertThat(site.resolve("node_modules/shout")).exists();
        assertThat(site.resolve("package-lock.json")).exists();
        assertThat(site.resolve("dist/index.html")).hasContent("<h1>BUILT IN DOCKER!</h1>");
        assertThat(log.text()).contains("wrote dist as uid ");
        // what the build made is the server's to read, publish and delete
        List<Path> made;
        try (Stream<Path> files = Files.walk(site.resolve("dist"))) {
            made = files.sorted(Comparator.reverseOrder()).toList();
        }
        assertThat(made).hasSize(4).allMatch(Files::isReadable);
        for (Path path : made) {
            Files.delete(path);
        }
        assertThat(site.resolve("dist")).doesNotExist();
        assertThat(engine.containersOf("npm-test/1")).isEmpty();
    }

    private static void write(Path file, String content) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }
}
