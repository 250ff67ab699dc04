package io.miaobu.plugin.github;

import static org.assertj.core.api.Assertions.assertThat;

import io.miaobu.api.Secret;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.identity.IdentityProvider;
import io.miaobu.api.source.SourceProvider;
import io.miaobu.api.source.SourceRepository;
import io.miaobu.plugin.github.standin.GitHubStandIn;
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

/** Loads the packaged zip with PF4J, as the server does, and uses both extensions it finds. */
class GitHubPluginIT {

    @TempDir
    Path temp;

    @Test
    void loadsFromItsZipWithBothExtensionsUnderOneId() throws Exception {
        Path zip = Path.of(System.getProperty("plugin.zip"));
        Path plugins = Files.createDirectories(temp.resolve("plugins"));
        Files.copy(zip, plugins.resolve(zip.getFileName()));
        PluginManager manager = new DefaultPluginManager(plugins);
        try (GitHubStandIn github = GitHubStandIn.start(temp.resolve("github"));
             LocalRepository local = LocalRepository.create(temp.resolve("work"))) {
            String token = github.addUser("octo", 1, "octo@example.com");
            RevCommit tip = local.commit("index.html", "hi", "Hello");
            github.createRepository("octo", "site", true).pushFrom(local.directory());
            manager.loadPlugins();
            manager.startPlugins();

            assertThat(manager.getPlugin("github").getPluginState()).isEqualTo(PluginState.STARTED);
            List<SourceProvider> sources = manager.getExtensions(SourceProvider.class, "github");
            List<IdentityProvider> identities = manager.getExtensions(IdentityProvider.class, "github");
            assertThat(sources).hasSize(1);
            assertThat(identities).hasSize(1);
            SourceProvider source = sources.get(0);
            assertThat(source.id()).isEqualTo("github");
            assertThat(identities.get(0).id()).isEqualTo("github");
            assertThat(source.getClass().getClassLoader()).isInstanceOf(PluginClassLoader.class);
            assertThat(source.globalSettings()).isEqualTo(identities.get(0).globalSettings());
            ConfigValues settings = github.settings();
            SourceRepository repository = new SourceRepository(github.repository("octo/site").cloneUrl(), "main",
                    settings, ConfigValues.EMPTY, Secret.of(token));
            assertThat(source.resolveBranch(repository)).isEqualTo(tip.name());
        } finally {
            manager.unloadPlugins();
        }
    }
}
