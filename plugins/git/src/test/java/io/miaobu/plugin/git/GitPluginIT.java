package io.miaobu.plugin.git;

import static org.assertj.core.api.Assertions.assertThat;

import io.miaobu.api.source.SourceProvider;
import io.miaobu.api.source.SourceRepository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pf4j.DefaultPluginManager;
import org.pf4j.PluginClassLoader;
import org.pf4j.PluginManager;
import org.pf4j.PluginState;

/** Loads the packaged zip with PF4J, as the server does, and uses the extension it finds. */
class GitPluginIT {

    @TempDir
    Path temp;

    @Test
    void loadsFromItsZipAndResolvesABranch() throws Exception {
        Path zip = Path.of(System.getProperty("plugin.zip"));
        Path plugins = Files.createDirectories(temp.resolve("plugins"));
        Files.copy(zip, plugins.resolve(zip.getFileName()));
        RevCommit tip;
        try (TestRepository origin = TestRepository.create(temp.resolve("origin"))) {
            tip = origin.commit("index.html", "hi", "Hello");
        }
        PluginManager manager = new DefaultPluginManager(plugins);
        try {
            manager.loadPlugins();
            manager.startPlugins();

            assertThat(manager.getPlugin("git").getPluginState()).isEqualTo(PluginState.STARTED);
            List<SourceProvider> providers = manager.getExtensions(SourceProvider.class, "git");
            assertThat(providers).hasSize(1);
            SourceProvider provider = providers.get(0);
            assertThat(provider.id()).isEqualTo("git");
            assertThat(provider.getClass().getClassLoader()).isInstanceOf(PluginClassLoader.class);
            assertThat(provider.resolveBranch(SourceRepository.of(temp.resolve("origin").toString(), "main")))
                    .isEqualTo(tip.name());
        } finally {
            manager.unloadPlugins();
        }
    }
}
