package io.miaobu.api.source;

import java.net.URI;
import java.util.Objects;

/**
 * The state of a pull request's preview, for the one comment per pull request and project that the source host shows
 * and that is updated in place.
 *
 * @param repository  the project's repository
 * @param pullRequest the pull request number
 * @param commitSha   the commit the preview was built from
 * @param state       {@code PENDING} while it builds, {@code SUCCESS} once live, {@code FAILURE}/{@code ERROR}
 * @param projectName the project's name, for the comment's text
 * @param previewUrl  the preview's URL; {@code null} until it is live
 * @param logUrl      the build log's page
 * @param marker      a string unique to this Miaobu server and project; the provider finds its earlier comment by
 *                    it, so it must keep it (e.g. in an HTML comment) in the comment's body
 */
public record PreviewComment(SourceRepository repository, int pullRequest, String commitSha, CommitStatus.State state,
                             String projectName, URI previewUrl, URI logUrl, String marker) {

    public PreviewComment {
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(marker, "marker");
    }
}
