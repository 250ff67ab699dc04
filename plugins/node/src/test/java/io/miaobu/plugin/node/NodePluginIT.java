package io.miaobu.plugin.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.miaobu.api.build.Builder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pf4j.DefaultPluginManager;
import org.pf4j.PluginClassLoader;
import org.pf4j.PluginManager;
import org.pf4j.PluginState;

/** Loads the packaged zip with PF4J, as the server does, and uses the extension it finds. */
class NodePluginIT {

    @TempDir
    Path temp;

    @Test
    void loadsFromItsZipAndDetectsAProject() throws Exception {
        Path zip = Path.of(System.getProperty("plugin.zip"));
        Path plugins = Files.createDirectories(temp.resolve("plugins"));
        Files.copy(zip, plugins.resolve(zip.getFileName()));
        Path site = Files.createDirectories(temp.resolve("site"));
        Files.writeString(site.resolve("package.json"), "{\"devDependencies\":{\"vite\":\"^7.1.7\"}}");
        PluginManager manager = new DefaultPluginManager(plugins);
        try {
            manager.loadPlugins();
            manager.startPlugins();

            assertThat(manager.getPlugin("node").getPluginState()).isEqualTo(PluginState.STARTED);
            List<Builder> builders = manager.getExtensions(Builder.class, "node");
            assertThat(builders).hasSize(1);
            Builder builder = builders.get(0);
            assertThat(builder.id()).isEqualTo("node");
            assertThat(builder.getClass().getClassLoader()).isInstanceOf(PluginClassLoader.class);
            assertThat(builder.detect(site).orElseThrow().framework()).isEqualTo("vite");
        } finally {
            manager.unloadPlugins();
        }
    }
}
