package io.miaobu.api.source;

import io.miaobu.api.Secret;
import io.miaobu.api.config.ConfigValues;
import java.util.Objects;

/**
 * A project's repository as a source provider sees it.
 *
 * @param url        the repository URL exactly as the user entered it (https, ssh, a local path or {@code file://})
 * @param branch     the branch the project deploys from
 * @param global     the provider's server-wide settings
 * @param project    the provider's settings for this project
 * @param credential a token to authenticate with, or {@code null} for none. Pass it to the remote as a header or
 *                   through a credentials provider, never inside a URL or a command line.
 */
public record SourceRepository(String url, String branch, ConfigValues global, ConfigValues project,
                               Secret credential) {

    public SourceRepository {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(branch, "branch");
        global = global == null ? ConfigValues.EMPTY : global;
        project = project == null ? ConfigValues.EMPTY : project;
    }

    /** A repository without settings or credential. */
    public static SourceRepository of(String url, String branch) {
        return new SourceRepository(url, branch, ConfigValues.EMPTY, ConfigValues.EMPTY, null);
    }
}
