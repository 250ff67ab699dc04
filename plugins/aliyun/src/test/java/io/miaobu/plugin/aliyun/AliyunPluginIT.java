package io.miaobu.plugin.aliyun;

import static org.assertj.core.api.Assertions.assertThat;

import io.miaobu.api.Secret;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.deploy.DeployTarget;
import io.miaobu.api.deploy.PublishContext;
import io.miaobu.api.deploy.PublishedDeployment;
import io.miaobu.api.deploy.SiteDeployment;
import io.miaobu.api.host.TaskLog;
import io.miaobu.api.testkit.RecordingTaskLog;
import io.miaobu.plugin.aliyun.oss.standin.OssStandIn;
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

/** Loads the packaged zip with PF4J, as the server does, and publishes through the deploy target it finds. */
class AliyunPluginIT {

    @TempDir
    Path temp;

    @Test
    void loadsFromItsZipAndPublishesToOss() throws Exception {
        Path zip = Path.of(System.getProperty("plugin.zip"));
        Path plugins = Files.createDirectories(temp.resolve("plugins"));
        Files.copy(zip, plugins.resolve(zip.getFileName()));
        Path out = Files.createDirectories(temp.resolve("out"));
        Files.writeString(out.resolve("index.html"), "hello");
        PluginManager manager = new DefaultPluginManager(plugins);
        try (OssStandIn oss = OssStandIn.start("sites").user("AKID", "secret")) {
            ConfigValues settings = ConfigValues.of(Map.of(AliyunSettings.ACCESS_KEY_ID, "AKID",
                    AliyunSettings.REGION, OssStandIn.REGION, AliyunSettings.BUCKET, "sites",
                    AliyunSettings.ENDPOINT, oss.endpoint().toString(), AliyunSettings.KEY_PREFIX, "miaobu"),
                    Map.of(AliyunSettings.ACCESS_KEY_SECRET, Secret.of("secret")));
            manager.loadPlugins();
            manager.startPlugins();

            assertThat(manager.getPlugin("aliyun").getPluginState()).isEqualTo(PluginState.STARTED);
            List<DeployTarget> targets = manager.getExtensions(DeployTarget.class, "aliyun");
            assertThat(targets).hasSize(1);
            DeployTarget target = targets.get(0);
            assertThat(target.id()).isEqualTo("aliyun");
            assertThat(target.getClass().getClassLoader()).isInstanceOf(PluginClassLoader.class);
            RecordingTaskLog log = new RecordingTaskLog();
            PublishedDeployment published = target.publish(new PublishContext() {
                public String siteKey() {
                    return "site";
                }

                public String deploymentKey() {
                    return "d1";
                }

                public Path outputDirectory() {
                    return out;
                }

                public TaskLog log() {
                    return log;
                }

                public ConfigValues globalSettings() {
                    return settings;
                }

                public ConfigValues projectSettings() {
                    return ConfigValues.EMPTY;
                }
            });
            target.activate(new SiteDeployment("site", published, settings, ConfigValues.EMPTY, log));

            assertThat(published.fileCount()).isEqualTo(1);
            assertThat(oss.objects()).containsKeys("miaobu/site/deployments/d1.json", "miaobu/site/live.json");
            assertThat(target.checkConnection(settings)).allMatch(c -> c.passed());
        } finally {
            manager.unloadPlugins();
        }
    }
}
