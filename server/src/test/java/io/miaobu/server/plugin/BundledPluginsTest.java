package io.miaobu.server.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundledPluginsTest {

    @TempDir
    Path temp;

    @Test
    void installsOnFirstStartUpgradesUntouchedOnesAndRespectsTheAdminsChoices() throws Exception {
        Path plugins = temp.resolve("plugins");
        BundledPlugins.installInto(plugins, release("v1", "a.zip", "b.zip", "c.zip"));
        assertThat(plugins.resolve("a.zip")).hasContent("v1 a.zip");

        Files.delete(plugins.resolve("b.zip"));
        Files.writeString(plugins.resolve("c.zip"), "the admin's own c");
        BundledPlugins.installInto(plugins, release("v2.0", "a.zip", "b.zip", "c.zip"));

        assertThat(plugins.resolve("a.zip")).as("untouched: upgraded").hasContent("v2.0 a.zip");
        assertThat(plugins.resolve("b.zip")).as("removed by the admin: stays removed").doesNotExist();
        assertThat(plugins.resolve("c.zip")).as("replaced by the admin: kept").hasContent("the admin's own c");

        BundledPlugins.installInto(plugins, release("v2.0", "a.zip", "b.zip", "c.zip"));
        assertThat(plugins.resolve("b.zip")).doesNotExist();
    }

    /** A class path with bundled-plugins/NAME holding "VERSION NAME" (versions of other lengths make other sizes). */
    private ClassLoader release(String version, String... names) throws Exception {
        Path root = temp.resolve("release-" + version);
        Files.createDirectories(root.resolve("bundled-plugins"));
        for (String name : names) {
            Files.writeString(root.resolve("bundled-plugins").resolve(name), version + " " + name);
        }
        return new URLClassLoader(new URL[] {root.toUri().toURL()}, null);
    }
}
