package io.miaobu.plugin.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.miaobu.api.host.OutboundHttp;
import io.miaobu.api.notify.DeliveryReceipt;
import io.miaobu.api.notify.NotificationEvent;
import io.miaobu.api.notify.Notifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
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
 * will (its public constructor, with OutboundHttp and Clock) and delivers with the libraries the zip carries.
 */
class WebhookPluginIT {

    @TempDir
    Path temp;

    @Test
    void carriesItsOwnJacksonAndNothingTheServerProvides() throws Exception {
        try (var zip = new ZipFile(System.getProperty("plugin.zip"))) {
            List<String> entries = Collections.list(zip.entries()).stream().map(ZipEntry::getName).toList();

            assertThat(entries).contains("plugin.properties");
            assertThat(entries).anyMatch(name -> name.matches("lib/miaobu-plugin-notify-webhook-.*\\.jar"));
            assertThat(entries).anyMatch(name -> name.matches("lib/jackson-databind-.*\\.jar"));
            assertThat(entries).anyMatch(name -> name.matches("lib/jackson-core-.*\\.jar"));
            assertThat(entries).noneMatch(name -> name.contains("miaobu-plugin-api") || name.contains("pf4j")
                    || name.contains("slf4j"));
        }
    }

    @Test
    void loadsFromItsZipAndDeliversASignedWebhook() throws Exception {
        Path zip = Path.of(System.getProperty("plugin.zip"));
        Path plugins = Files.createDirectories(temp.resolve("plugins"));
        Files.copy(zip, plugins.resolve(zip.getFileName()));
        PluginManager manager = new DefaultPluginManager(plugins);
        try (var receiver = new TestReceiver()) {
            manager.loadPlugins();
            manager.startPlugins();

            assertThat(manager.getPlugin("notify-webhook").getPluginState()).isEqualTo(PluginState.STARTED);
            List<Class<? extends Notifier>> classes = manager.getExtensionClasses(Notifier.class, "notify-webhook");
            assertThat(classes).hasSize(1);
            ClassLoader pluginLoader = classes.get(0).getClassLoader();
            assertThat(pluginLoader).isInstanceOf(PluginClassLoader.class);
            assertThat(pluginLoader.loadClass("com.fasterxml.jackson.databind.ObjectMapper").getClassLoader())
                    .as("Jackson comes from the plugin's lib/").isSameAs(pluginLoader);

            Notifier notifier = classes.get(0).getConstructor(OutboundHttp.class, Clock.class)
                    .newInstance(JdkOutboundHttp.open(), Clock.systemUTC());
            assertThat(notifier.id()).isEqualTo("webhook");
            DeliveryReceipt receipt = notifier.deliver(new NotificationEvent.Test(Events.AT, "alice"),
                    Events.channel(receiver.url("/hook"), "miaobu", Events.SECRET));

            assertThat(receipt.statusCode()).isEqualTo(200);
            TestReceiver.Received request = receiver.next();
            assertThat(request.bodyText()).startsWith("{\"schema\":1,");
            assertThat(WebhookSignature.verify(Events.SECRET, request.header("X-Miaobu-Timestamp"), request.body(),
                    request.header("X-Miaobu-Signature"), WebhookSignature.RECOMMENDED_TOLERANCE, Instant.now()))
                    .isTrue();
        } finally {
            manager.unloadPlugins();
        }
    }
}
