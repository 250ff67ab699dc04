package io.miaobu.plugin.localstorage;

import static org.assertj.core.api.Assertions.assertThat;

import io.miaobu.api.deploy.DeployTarget;
import io.miaobu.api.deploy.PublishedDeployment;
import io.miaobu.api.host.HostInfo;
import io.miaobu.api.testkit.RecordingTaskLog;
import io.miaobu.api.testkit.TestHostInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pf4j.DefaultPluginManager;
import org.pf4j.PluginClassLoader;
import org.pf4j.PluginManager;
import org.pf4j.PluginState;

/**
 * Loads the packaged zip with PF4J, as the server does, and builds the extension the way the host's extension factory
 * will: through its constructor taking {@link HostInfo}.
 */
class LocalStoragePluginIT {

    @TempDir
    Path temp;

    @Test
    void loadsFromItsZipAndPublishes() throws Exception {
        Path zip = Path.of(System.getProperty("plugin.zip"));
        Path plugins = Files.createDirectories(temp.resolve("plugins"));
        Files.copy(zip, plugins.resolve(zip.getFileName()));
        Path out = Files.createDirectories(temp.resolve("out"));
        Files.writeString(out.resolve("index.html"), "hello");
        TestHostInfo host = new TestHostInfo(temp.resolve("home"));
        PluginManager manager = new DefaultPluginManager(plugins);
        try {
            manager.loadPlugins();
            manager.startPlugins();

            assertThat(manager.getPlugin("local-storage").getPluginState()).isEqualTo(PluginState.STARTED);
            List<Class<? extends DeployTarget>> classes = manager.getExtensionClasses(DeployTarget.class,
                    "local-storage");
            assertThat(classes).hasSize(1);
            assertThat(classes.get(0).getClassLoader()).isInstanceOf(PluginClassLoader.class);
            DeployTarget deployTarget = classes.get(0).getConstructor(HostInfo.class).newInstance(host);
            assertThat(deployTarget.id()).isEqualTo("local-storage");
            PublishedDeployment published = deployTarget.publish(
                    new TestPublishContext("site", "d1", out, new RecordingTaskLog()));
            assertThat(Path.of(published.location()).resolve("index.html")).hasContent("hello");
        } finally {
            manager.unloadPlugins();
        }
    }
}
