package io.miaobu.plugin.acme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.miaobu.api.ExtensionException;
import io.miaobu.api.Secret;
import io.miaobu.api.cert.CertificateIssuer;
import io.miaobu.api.cert.CertificateOrder;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.testkit.RecordingTaskLog;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pf4j.DefaultPluginManager;
import org.pf4j.PluginClassLoader;
import org.pf4j.PluginManager;
import org.pf4j.PluginState;

/** Loads the packaged zip with PF4J, as the server does, and runs the issuer from its own class loader. */
class AcmePluginIT {

    @TempDir
    Path temp;

    @Test
    void loadsFromItsZipAndReportsAnUnreachableDirectoryInWords() throws Exception {
        Path zip = Path.of(System.getProperty("plugin.zip"));
        Path plugins = Files.createDirectories(temp.resolve("plugins"));
        Files.copy(zip, plugins.resolve(zip.getFileName()));
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        String directory = "https://127.0.0.1:" + closedPort + "/dir";
        PluginManager manager = new DefaultPluginManager(plugins);
        try {
            manager.loadPlugins();
            manager.startPlugins();

            assertThat(manager.getPlugin("acme").getPluginState()).isEqualTo(PluginState.STARTED);
            List<CertificateIssuer> issuers = manager.getExtensions(CertificateIssuer.class, "acme");
            assertThat(issuers).hasSize(1);
            CertificateIssuer issuer = issuers.get(0);
            assertThat(issuer.id()).isEqualTo("acme");
            assertThat(issuer.getClass().getClassLoader()).isInstanceOf(PluginClassLoader.class);
            assertThat(issuer.globalSettings().field("account-key").orElseThrow().generated()).isTrue();

            ConfigValues settings = ConfigValues.of(Map.of("directory-url", directory),
                    Map.of("account-key", Secret.of("it-seed")));
            assertThatThrownBy(() -> issuer.issue(new CertificateOrder(List.of("example.test"), null, null,
                    settings, new RecordingTaskLog())))
                    .isInstanceOf(ExtensionException.class)
                    .hasMessageStartingWith("Could not reach the ACME server at " + directory)
                    .hasMessageNotContaining("it-seed");
        } finally {
            manager.unloadPlugins();
        }
    }
}
