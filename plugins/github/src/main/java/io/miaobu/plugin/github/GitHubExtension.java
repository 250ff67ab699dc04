package io.miaobu.plugin.github;

import io.miaobu.api.MiaobuExtension;
import io.miaobu.api.config.ConfigProblem;
import io.miaobu.api.config.ConfigSchema;
import io.miaobu.api.config.ConfigValues;
import java.util.List;

/**
 * What the plugin's source and sign-in have in common: the id {@code github} (the host pairs them by it: the sign-in's
 * token is the source's credential, and they share one settings record), the name, and that record's schema and checks.
 */
abstract class GitHubExtension implements MiaobuExtension {

    @Override
    public final String id() {
        return GitHubSourceProvider.ID;
    }

    @Override
    public final String displayName() {
        return "GitHub";
    }

    @Override
    public final ConfigSchema globalSettings() {
        return GitHubSettings.SCHEMA;
    }

    @Override
    public final List<ConfigProblem> validate(ConfigValues global, ConfigValues project) {
        return GitHubSettings.problems(global);
    }
}
