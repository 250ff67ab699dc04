package io.miaobu.server.preview;

import io.miaobu.server.build.Deployment;
import java.util.Optional;

/**
 * What became of a request for a preview deployment: queued, or ignored for a reason given in words (the webhook
 * delivery log records it).
 *
 * @param preview       the preview the deployment is for; {@code null} when the request was ignored before one
 *                      was made
 * @param deployment    the queued deployment; {@code null} when ignored
 * @param ignoredReason why nothing was queued; {@code null} when queued
 */
public record PreviewRequest(Preview preview, Deployment deployment, String ignoredReason) {

    public static final String PULL_REQUEST_PREVIEWS_OFF = "pull request previews are off for this project";
    public static final String FORKS_NOT_ALLOWED =
            "pull requests from forks are not built (the project does not allow it)";
    public static final String BRANCH_PREVIEWS_OFF = "branch previews are off for this project";
    public static final String ALREADY_DEPLOYED = "commit already deployed";

    static PreviewRequest queued(Preview preview, Deployment deployment) {
        return new PreviewRequest(preview, deployment, null);
    }

    static PreviewRequest ignored(Preview preview, String reason) {
        return new PreviewRequest(preview, null, reason);
    }

    public boolean isQueued() {
        return deployment != null;
    }

    public Optional<Deployment> queuedDeployment() {
        return Optional.ofNullable(deployment);
    }
}
