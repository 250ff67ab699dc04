package io.miaobu.plugin.email;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.miaobu.api.host.HostInfo;
import io.miaobu.api.notify.DeliveryReceipt;
import io.miaobu.api.notify.Notifier;
import io.miaobu.api.testkit.TestHostInfo;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.pf4j.DefaultPluginManager;
import org.pf4j.PluginClassLoader;
import org.pf4j.PluginManager;
import org.pf4j.PluginState;

/**
 * Loads the packaged zip with PF4J, as the server does, builds the notifier through its constructor taking
 * {@link HostInfo} and {@link Clock}, and sends a message with it. The calling thread's context class loader is this
 * test's, which carries its own copy of Jakarta Mail, like a server that has one: the plugin must use its own.
 */
class EmailPluginIT {

    @RegisterExtension
    static final GreenMailExtension GREEN_MAIL = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    @TempDir
    Path temp;

    @Test
    void loadsFromItsZipAndSendsAnEmail() throws Exception {
        Path zip = Path.of(System.getProperty("plugin.zip"));
        Path plugins = Files.createDirectories(temp.resolve("plugins"));
        Files.copy(zip, plugins.resolve(zip.getFileName()));
        PluginManager manager = new DefaultPluginManager(plugins);
        try {
            manager.loadPlugins();
            manager.startPlugins();

            assertThat(manager.getPlugin("notify-email").getPluginState()).isEqualTo(PluginState.STARTED);
            List<Class<? extends Notifier>> classes = manager.getExtensionClasses(Notifier.class, "notify-email");
            assertThat(classes).hasSize(1);
            assertThat(classes.get(0).getClassLoader()).isInstanceOf(PluginClassLoader.class);
            Notifier notifier = classes.get(0).getConstructor(HostInfo.class, Clock.class)
                    .newInstance(new TestHostInfo(temp.resolve("home")), Clock.systemUTC());
            assertThat(notifier.id()).isEqualTo("email");
            assertThat(notifier.deliversToPeople()).isTrue();

            var settings = Samples.settings(GREEN_MAIL.getSmtp().getPort(), "none", Map.of("from-name", "喵部"));
            DeliveryReceipt receipt = notifier.deliver(Samples.failed("喵部 文档站", "main", "exit code 1"),
                    Samples.context(settings, "dev@example.test"));

            assertThat(receipt.statusCode()).isEqualTo(250);
            MimeMessage[] received = GREEN_MAIL.getReceivedMessages();
            assertThat(received).hasSize(1);
            assertThat(received[0].getSubject()).isEqualTo("[Miaobu] 喵部 文档站: deployment #42 failed");
            assertThat(((InternetAddress) received[0].getFrom()[0]).getPersonal()).isEqualTo("喵部");
            assertThat(((MimeMultipart) received[0].getContent()).getCount()).isEqualTo(2);
        } finally {
            manager.unloadPlugins();
        }
    }
}
