package io.miaobu.server.source;

import io.miaobu.api.source.SourceProvider;
import io.miaobu.api.source.SourceRepository;
import io.miaobu.server.plugin.ExtensionRegistry;
import io.miaobu.server.plugin.ExtensionSettings;
import io.miaobu.server.project.Project;
import io.miaobu.server.project.ProjectExtensionValues;
import java.util.Optional;

/**
 * A project's source provider and its repository as the provider sees it (settings and the connecting user's token
 * included), for the calls the core makes outside a build: resolving a branch, the sweep of previews, commit statuses.
 */
public final class ProjectSources {

    private final ExtensionRegistry extensions;
    private final ExtensionSettings settings;
    private final ProjectExtensionValues projectSettings;
    private final SourceCredentials credentials;

    public ProjectSources(ExtensionRegistry extensions, ExtensionSettings settings,
                          ProjectExtensionValues projectSettings, SourceCredentials credentials) {
        this.extensions = extensions;
        this.settings = settings;
        this.projectSettings = projectSettings;
        this.credentials = credentials;
    }

    /** The project's source provider, when its plugin runs. */
    public Optional<SourceProvider> providerOf(Project project) {
        return extensions.find(SourceProvider.class, project.sourceProvider());
    }

    /**
     * The project's repository at {@code branch}, with the provider's settings (server-wide and the project's) and the
     * project's token.
     */
    public SourceRepository repositoryOf(Project project, SourceProvider provider, String branch) {
        return new SourceRepository(project.repositoryUrl(), branch, settings.valuesFor("SourceProvider", provider),
                projectSettings.valuesFor(project.id(), "SourceProvider", provider),
                credentials.forProject(project.id()).orElse(null));
    }
}
