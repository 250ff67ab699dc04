package com.example.miaobu.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.miaobu.api.host.HostInfo;
import io.miaobu.api.notify.EventKind;
import io.miaobu.api.notify.Notifier;
import io.miaobu.api.testkit.TestEvents;
import io.miaobu.api.testkit.TestHostInfo;
import io.miaobu.api.testkit.TestSettings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pf4j.DefaultPluginManager;
import org.pf4j.PluginManager;
import org.pf4j.PluginState;

/**
 * The packaged zip, as the server sees it: PF4J unpacks and starts it from a plugins directory, finds the notifier
 * through META-INF/extensions.idx, and the notifier is created the way the host does (its constructor, with HostInfo).
 */
class LogPluginIT {

    @TempDir
    Path temp;

    @Test
    void holdsOnlyItsPropertiesAndItsJar() throws Exception {
        try (var zip = new ZipFile(System.getProperty("plugin.zip"))) {
            List<String> files = Collections.list(zip.entries()).stream().map(ZipEntry::getName)
                    .filter(name -> !name.endsWith("/")).sorted().toList();

            assertThat(files).hasSize(2).contains("plugin.properties")
                    .anyMatch(name -> name.matches("lib/notify-log-.*\\.jar"));
        }
    }

    @Test
    void startsInPf4jAndDelivers() throws Exception {
        Path zip = Path.of(System.getProperty("plugin.zip"));
        Path plugins = Files.createDirectories(temp.resolve("plugins"));
        Files.copy(zip, plugins.resolve(zip.getFileName()));
        PluginManager manager = new DefaultPluginManager(plugins);
        try {
            manager.loadPlugins();
            manager.startPlugins();

            assertThat(manager.getPlugin("notify-log").getPluginState()).isEqualTo(PluginState.STARTED);
            List<Class<? extends Notifier>> classes = manager.getExtensionClasses(Notifier.class, "notify-log");
            assertThat(classes).extracting(Class::getName).containsExactly(LogNotifier.class.getName());
            HostInfo host = new TestHostInfo(temp.resolve("home"), "notify-log", "0.1.0",
                    URI.create("http://localhost:8080/"), "localhost", 8080);
            Notifier notifier = classes.get(0).getConstructor(HostInfo.class).newInstance(host);

            notifier.deliver(TestEvents.of(EventKind.DEPLOYMENT_SUCCEEDED), TestEvents.context(
                    TestSettings.forSchema(notifier.channelSettings()).build()));

            assertThat(host.dataDirectory().resolve("notifications.log")).content()
                    .startsWith("{\"at\":\"2026-01-02T03:04:05Z\",\"event\":\"deployment.succeeded\"");
        } finally {
            manager.unloadPlugins();
        }
    }
}
