package io.miaobu.server.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.miaobu.api.MiaobuExtension;
import io.miaobu.api.build.Builder;
import io.miaobu.server.outbound.GuardedOutboundHttp;
import io.miaobu.server.outbound.OutboundAddressPolicy;
import io.miaobu.server.plugin.testplugins.FailingStartPlugin;
import io.miaobu.server.plugin.testplugins.GatedBuilder;
import io.miaobu.server.plugin.testplugins.ThrowingBuilder;
import io.miaobu.server.web.UserFacingException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plugin host with real PF4J and plugin zips built here: installs, upgrades and removals without a restart. */
class PluginHostTest {

    @TempDir
    Path temp;

    private PluginHost host;
    private ExtensionRegistry registry;

    @AfterEach
    void stop() {
        if (host != null) {
            host.stop();
        }
    }

    private void start() {
        host = new PluginHost(temp.resolve("plugins"), temp.resolve("plugin-data"),
                new PluginHost.HostFacts("0.1.0-SNAPSHOT", URI.create("http://localhost:8080/"), "localhost", 8080,
                        temp.resolve("sites")), new GuardedOutboundHttp(OutboundAddressPolicy.publicOnly()),
                Clock.systemUTC());
        host.start();
        registry = new ExtensionRegistry(host, List.<MiaobuExtension>of());
    }

    private TestPluginZip gated(String version) {
        return TestPluginZip.of("gated", version).extension(GatedBuilder.class)
                .setting("gate", temp.resolve("gate").toString());
    }

    private PluginHost.PluginInfo install(TestPluginZip zip) throws Exception {
        return host.install(zip.writeTo(temp.resolve("uploads")), null, null).plugin();
    }

    private String builderName() {
        return registry.find(Builder.class, "gated").map(Builder::displayName).orElse("none");
    }

    @Test
    void installsAPluginThatStartsAtOnceAndIsThereAfterARestart() throws Exception {
        start();
        assertThat(builderName()).isEqualTo("none");

        PluginHost.PluginInfo installed = install(gated("1.0.0"));

        assertThat(installed.state()).isEqualTo("STARTED");
        assertThat(builderName()).isEqualTo("Gated builder 1.0.0");
        host.stop();
        start();
        assertThat(host.plugin("gated")).get().extracting(PluginHost.PluginInfo::state).isEqualTo("STARTED");
        assertThat(builderName()).isEqualTo("Gated builder 1.0.0");
    }

    @Test
    void aSnapshotKeepsTheOldVersionUsableThroughAnUpgradeAndReleasesItWhenClosed() throws Exception {
        start();
        install(gated("1.0.0"));
        ExtensionSnapshot build = registry.snapshot();
        Builder old = build.find(Builder.class, "gated").orElseThrow();
        var oldLoader = (LeasedClassLoader) old.getClass().getClassLoader();

        PluginHost.Installed upgraded = host.install(gated("2.0.0").writeTo(temp.resolve("uploads")), null, null);

        assertThat(upgraded.replacedVersion()).isEqualTo("1.0.0");
        assertThat(builderName()).as("new lookups").isEqualTo("Gated builder 2.0.0");
        assertThat(build.find(Builder.class, "gated").orElseThrow().displayName()).as("the running build's")
                .isEqualTo("Gated builder 1.0.0");
        assertThat(oldLoader.closedForGood()).isFalse();
        assertThat(unpackedFolders()).as("both versions unpacked while the build runs").hasSize(2);
        // a class of the old version not loaded before still loads from the old jar
        Class<?> page = Class.forName(GatedBuilder.class.getPackageName() + ".GatedPage", true, oldLoader);
        assertThat(page.getClassLoader()).isSameAs(oldLoader);

        build.close();

        assertThat(oldLoader.closedForGood()).isTrue();
        assertThat(unpackedFolders()).as("the old version's folder is gone").hasSize(1);
        try (ExtensionSnapshot next = registry.snapshot()) {
            assertThat(next.pluginVersions()).as("the next build's").containsEntry("gated", "2.0.0");
        }
    }

    @Test
    void withoutRunningBuildsAnUpgradeClosesTheOldClassLoaderAtOnce() throws Exception {
        start();
        install(gated("1.0.0"));
        var oldLoader = (LeasedClassLoader) registry.find(Builder.class, "gated").orElseThrow().getClass()
                .getClassLoader();

        install(gated("1.1.0"));

        assertThat(oldLoader.closedForGood()).isTrue();
        assertThat(unpackedFolders()).hasSize(1);
    }

    @Test
    void anUpgradeThatFailsToStartRollsBackToThePreviousVersion() throws Exception {
        start();
        install(gated("1.0.0"));

        assertThatThrownBy(() -> install(gated("2.0.0").pluginClass(FailingStartPlugin.class)))
                .isInstanceOf(UserFacingException.class)
                .hasMessageContaining("refuses to start")
                .hasMessageContaining("Version 1.0.0 is running again");

        assertThat(host.plugin("gated")).get().satisfies(p -> {
            assertThat(p.version()).isEqualTo("1.0.0");
            assertThat(p.state()).isEqualTo("STARTED");
        });
        assertThat(builderName()).isEqualTo("Gated builder 1.0.0");
        assertThat(temp.resolve("plugins/.previous/gated.zip")).doesNotExist();
        host.stop();
        start();
        assertThat(builderName()).as("after a restart too").isEqualTo("Gated builder 1.0.0");
    }

    @Test
    void aNewPluginThatThrowsAtStartIsMarkedFailedAndTheOthersRun() throws Exception {
        start();
        install(gated("1.0.0"));

        PluginHost.PluginInfo failing = install(TestPluginZip.of("failing", "1.0.0")
                .pluginClass(FailingStartPlugin.class));

        assertThat(failing.state()).isEqualTo("FAILED");
        assertThat(failing.error()).contains("this test plugin refuses to start");
        assertThat(host.plugin("gated")).get().extracting(PluginHost.PluginInfo::state).isEqualTo("STARTED");
        assertThat(builderName()).isEqualTo("Gated builder 1.0.0");
    }

    @Test
    void refusesAPluginWhoseDependencyIsMissingOrWhoseCoreVersionIsTooNew() throws Exception {
        start();

        assertThatThrownBy(() -> install(TestPluginZip.of("dependent", "1.0.0").dependencies("base@>=1.0.0")))
                .isInstanceOf(UserFacingException.class)
                .hasMessageContaining("needs plugin 'base' >=1.0.0, which is not installed");
        assertThatThrownBy(() -> install(TestPluginZip.of("future", "1.0.0").requires(">=99.0.0")))
                .isInstanceOf(UserFacingException.class)
                .hasMessageContaining("needs Miaobu >=99.0.0; this server is 0.1.0");
        install(TestPluginZip.of("base", "1.0.0"));
        assertThatThrownBy(() -> install(TestPluginZip.of("dependent", "1.0.0").dependencies("base@>=2.0.0")))
                .hasMessageContaining("needs plugin 'base' >=2.0.0, but version 1.0.0 is installed");
        assertThat(install(TestPluginZip.of("dependent", "1.0.0").dependencies("base@>=1.0.0 & <2.0.0")).state())
                .isEqualTo("STARTED");
        assertThatThrownBy(() -> install(TestPluginZip.of("base", "2.0.0")))
                .as("an upgrade that breaks a dependent's range")
                .hasMessageContaining("Plugin 'dependent' needs 'base' >=1.0.0 & <2.0.0; 2.0.0 would break it");
        assertThat(host.plugins()).extracting(PluginHost.PluginInfo::id).containsExactly("base", "dependent");
    }

    @Test
    void disablingAPluginOthersNeedIsRefusedUnlessTheyGoTooAndStaysDisabledAfterARestart() throws Exception {
        start();
        install(TestPluginZip.of("base", "1.0.0"));
        install(TestPluginZip.of("dependent", "1.0.0").dependencies("base"));

        assertThatThrownBy(() -> host.disable("base", false))
                .isInstanceOf(UserFacingException.class)
                .hasMessageContaining("Plugin 'base' is needed by 'dependent'");
        assertThat(host.plugin("base")).get().extracting(PluginHost.PluginInfo::state).isEqualTo("STARTED");

        assertThat(host.disable("base", true)).containsExactly("dependent", "base");
        assertThat(host.plugins()).extracting(PluginHost.PluginInfo::state).containsExactly("DISABLED", "DISABLED");

        host.stop();
        start();
        assertThat(host.plugins()).extracting(PluginHost.PluginInfo::state).containsExactly("DISABLED", "DISABLED");
        assertThatThrownBy(() -> host.enable("dependent")).hasMessageContaining("needs plugin 'base', which is"
                + " disabled");
        assertThat(host.enable("base").state()).isEqualTo("STARTED");
        assertThat(host.enable("dependent").state()).isEqualTo("STARTED");
    }

    @Test
    void uninstallingRemovesZipAndFolderAndRefusesWhileOthersDependOnIt() throws Exception {
        start();
        install(gated("1.0.0"));
        install(TestPluginZip.of("dependent", "1.0.0").dependencies("gated"));

        assertThatThrownBy(() -> host.uninstall("gated", false)).hasMessageContaining("needed by 'dependent'");
        assertThat(host.uninstall("gated", true)).containsExactly("dependent", "gated");

        assertThat(host.plugins()).isEmpty();
        assertThat(builderName()).isEqualTo("none");
        try (Stream<Path> files = Files.list(temp.resolve("plugins"))) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".zip"));
        }
        assertThat(unpackedFolders()).isEmpty();
        host.stop();
        start();
        assertThat(host.plugins()).isEmpty();
    }

    @Test
    void aPluginWhoseDependencyIsMissingAtStartFailsAloneWithTheReason() throws Exception {
        start();
        install(TestPluginZip.of("base", "1.0.0"));
        install(TestPluginZip.of("dependent", "1.0.0").dependencies("base@>=1.0.0"));
        install(gated("1.0.0"));
        host.stop();
        try (Stream<Path> zips = Files.list(temp.resolve("plugins"))) {
            for (Path zip : zips.filter(p -> p.getFileName().toString().equals("base.zip")).toList()) {
                Files.delete(zip); // removed by hand
            }
        }

        start();

        assertThat(host.plugin("dependent")).get().satisfies(p -> {
            assertThat(p.state()).isEqualTo("FAILED");
            assertThat(p.error()).isEqualTo("Needs plugin 'base' >=1.0.0, which is not installed.");
        });
        assertThat(host.plugin("gated")).get().extracting(PluginHost.PluginInfo::state).isEqualTo("STARTED");
        assertThat(builderName()).isEqualTo("Gated builder 1.0.0");

        install(TestPluginZip.of("base", "1.0.0"));
        assertThat(host.enable("dependent").state()).isEqualTo("STARTED");
    }

    @Test
    void anExtensionWhoseIdThrowsIsLeftOutAndTheRestOfItsPointStillWorks() throws Exception {
        start();
        install(gated("1.0.0"));
        install(TestPluginZip.of("nameless", "1.0.0").extension(ThrowingBuilder.class).setting("id.throws", "true"));

        assertThat(registry.all(Builder.class)).extracting(Builder::id).containsExactly("gated");
        assertThat(builderName()).isEqualTo("Gated builder 1.0.0");
    }

    private List<Path> unpackedFolders() throws Exception {
        try (Stream<Path> folders = Files.list(temp.resolve("plugins/.unpacked"))) {
            return folders.toList();
        }
    }
}
