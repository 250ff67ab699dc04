package io.miaobu.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dependency cache in real builds: the first build with a lockfile installs and saves, the next restores, a
 * build that writes into the restored dependencies changes nothing for the one after, and clearing starts over.
 */
class DependencyCacheIT {

    @TempDir
    Path temp;

    @Test
    void theSecondBuildWithTheSameLockfileStartsWithItsDependenciesInstalled() throws Exception {
        try (var repo = new SiteRepository(temp.resolve("repo"));
             var server = new TestServer(temp.resolve("home"), Map.of()).start()) {
            // a dependency npm installs without a registry: a tarball in the repository
            repo.write("lib/package.json", "{\"name\": \"lib\", \"version\": \"1.0.0\", \"main\": \"index.js\"}\n");
            repo.write("lib/index.js", "module.exports = 'from the lib';\n");
            npm(repo.directory().resolve("lib"), "pack");
            repo.write("package.json", """
                    {"name": "with-deps", "private": true, "scripts": {"build": "node build.js"},
                     "dependencies": {"lib": "file:./lib/lib-1.0.0.tgz"}}
                    """);
            npm(repo.directory(), "install", "--package-lock-only", "--no-audit", "--no-fund");
            repo.writeBuildScript("""
                    const fs = require('fs');
                    const marker = 'node_modules/lib/touched-by-a-build';
                    console.log(fs.existsSync(marker) ? 'marker leaked from an earlier build' : 'clean dependencies');
                    fs.writeFileSync(marker, 'a build wrote this');
                    fs.mkdirSync('dist', { recursive: true });
                    fs.writeFileSync('dist/index.html', '<h1>' + require('lib') + '</h1>');
                    """);
            repo.commit("with a lockfile");
            long project = BuildSystemIT.createProject(server, repo, "Cached");

            String first = logOf(server, BuildSystemIT.deploy(server, project));
            assertThat(first).contains("Dependency cache: no entry", "Dependency cache: saved", "clean dependencies");
            String second = logOf(server, BuildSystemIT.deploy(server, project));
            assertThat(second).contains("Dependency cache: restored", "clean dependencies")
                    .contains("npm install --prefer-offline");
            assertThat(server.site("cached", "/").body()).contains("from the lib");

            assertThat(server.json("DELETE", "/api/v1/projects/" + project + "/dependency-cache", null, 200)
                    .get("entries").asInt()).isEqualTo(1);
            assertThat(logOf(server, BuildSystemIT.deploy(server, project))).contains("Dependency cache: no entry");

            server.json("PUT", "/api/v1/projects/" + project + "/build-limits", Map.of("maxConcurrentBuilds", 1,
                    "retryInterrupted", true, "dependencyCache", false), 200);
            assertThat(logOf(server, BuildSystemIT.deploy(server, project))).doesNotContain("Dependency cache");
        }
    }

    private static String logOf(TestServer server, long deployment) throws Exception {
        var done = server.awaitFinal(deployment);
        String log = server.api("GET", "/api/v1/deployments/" + deployment + "/log", null).body();
        assertThat(done.get("status").asText()).as(log).isEqualTo("LIVE");
        return log;
    }

    private static void npm(Path directory, String... arguments) throws Exception {
        var command = new java.util.ArrayList<String>();
        command.add("npm");
        command.addAll(java.util.List.of(arguments));
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("npm " + String.join(" ", arguments)).isZero();
    }
}
