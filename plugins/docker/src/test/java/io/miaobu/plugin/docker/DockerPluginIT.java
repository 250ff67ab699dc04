package io.miaobu.plugin.docker;

import static org.assertj.core.api.Assertions.assertThat;

import io.miaobu.api.build.BuildPlan;
import io.miaobu.api.build.BuildRunner;
import io.miaobu.api.build.CommandResult;
import io.miaobu.api.build.CommandSpec;
import io.miaobu.api.host.HostInfo;
import io.miaobu.api.testkit.RecordingTaskLog;
import io.miaobu.api.testkit.TestHostInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pf4j.DefaultPluginManager;
import org.pf4j.PluginClassLoader;
import org.pf4j.PluginManager;
import org.pf4j.PluginState;

/**
 * Loads the packaged zip with PF4J, as the server does, builds the extension the way the host's extension factory
 * will (through its constructor taking {@link HostInfo}), and runs a command in a container with the libraries from
 * the zip's lib/.
 */
class DockerPluginIT {

    @TempDir
    Path temp;

    @Test
    void carriesItsOwnLibrariesButNotTheServers() throws Exception {
        try (var zip = new ZipFile(System.getProperty("plugin.zip"))) {
            List<String> entries = Collections.list(zip.entries()).stream().map(ZipEntry::getName).toList();

            assertThat(entries).contains("plugin.properties", "lib/docker-java-core-3.7.1.jar",
                    "lib/docker-java-transport-httpclient5-3.7.1.jar", "lib/commons-compress-1.28.0.jar");
            assertThat(entries).filteredOn(e -> e.startsWith("lib/miaobu-plugin-docker-")).hasSize(1);
            assertThat(entries).noneMatch(e -> e.contains("slf4j") || e.contains("pf4j")
                    || e.contains("miaobu-plugin-api"));
            // left out on purpose, see the pom: only TLS and Windows would need them
            assertThat(entries).noneMatch(e -> e.contains("bcprov") || e.contains("bcpkix") || e.contains("jna"));
        }
    }

    @Test
    void loadsFromItsZipAndRunsACommandInAContainerOfTheProjectsBuildImage() throws Exception {
        try (var engine = TestEngine.require()) {
            Path zip = Path.of(System.getProperty("plugin.zip"));
            Path plugins = Files.createDirectories(temp.resolve("plugins"));
            Files.copy(zip, plugins.resolve(zip.getFileName()));
            Path workspace = Files.createDirectories(temp.resolve("workspace"));
            Files.createDirectories(workspace.resolve(".miaobu"));
            Files.writeString(workspace.resolve(".miaobu/build.Dockerfile"), "ARG MIAOBU_BASE_IMAGE\n"
                    + "FROM ${MIAOBU_BASE_IMAGE}\nRUN echo 'from the build image' > /etc/greeting\n");
            PluginManager manager = new DefaultPluginManager(plugins);
            try {
                manager.loadPlugins();
                manager.startPlugins();

                assertThat(manager.getPlugin("docker").getPluginState()).isEqualTo(PluginState.STARTED);
                List<Class<? extends BuildRunner>> classes = manager.getExtensionClasses(BuildRunner.class,
                        "docker");
                assertThat(classes).hasSize(1);
                assertThat(classes.get(0).getClassLoader()).isInstanceOf(PluginClassLoader.class);
                BuildRunner extension = classes.get(0).getConstructor(HostInfo.class)
                        .newInstance(new TestHostInfo(temp.resolve("home")));
                assertThat(extension.id()).isEqualTo("docker");
                // as the core does: through the API's method, which the plugin's class overrides
                BuildRunner runner = extension.forBuild(TestEngine.settings(),
                        new BuildPlan("static", "", "", "", ".", ""), workspace, "plugin-it");
                var log = new RecordingTaskLog();

                CommandResult result = runner.run(CommandSpec.shell("echo \"hello from $WHO\"; cat /etc/greeting",
                        workspace,
                        Map.of("WHO", "the plugin zip", "MIAOBU_PROJECT", "plugin-it", "MIAOBU_DEPLOYMENT_ID", "1"),
                        Duration.ofMinutes(1)), log);

                assertThat(result.succeeded()).as(log.text()).isTrue();
                assertThat(log.lines(RecordingTaskLog.Level.OUTPUT)).contains("hello from the plugin zip",
                        "from the build image");
                assertThat(engine.imageTagsOf("plugin-it")).hasSize(1);
                assertThat(engine.containersOf("plugin-it/1")).isEmpty();
            } finally {
                manager.unloadPlugins();
                engine.removeImagesOf("plugin-it");
            }
        }
    }
}
