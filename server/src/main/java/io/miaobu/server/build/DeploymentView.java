package io.miaobu.server.build;

import java.time.Instant;
import java.util.List;

/**
 * A deployment as the API shows it.
 *
 * @param pinned      whether retention keeps it however old it gets
 * @param previewId   the preview it was built for, or {@code null}
 * @param trusted     whether its build got the project's secrets (not for a pull request from a fork)
 * @param pullRequest the pull request it was built for, or {@code null}
 */
public record DeploymentView(
        long id,
        long projectId,
        DeploymentStatus status,
        boolean live,
        boolean pinned,
        String trigger,
        String branch,
        String commitSha,
        String commitAuthor,
        String commitMessage,
        String error,
        Long fileCount,
        Long totalBytes,
        Long uploadedBytes,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        String environment,
        Long retryOf,
        List<StatusChangeView> statusChanges,
        Long previewId,
        boolean trusted,
        Integer pullRequest) {

    public static DeploymentView of(Deployment d, Long liveDeploymentId, List<StatusChange> changes) {
        return new DeploymentView(d.id(), d.projectId(), d.status(), liveDeploymentId != null
                && liveDeploymentId == d.id(), d.pinned(), d.triggerKind(), d.branch(), d.commitSha(), d.commitAuthor(),
                d.commitMessage(), d.error(), d.fileCount(), d.totalBytes(), d.uploadedBytes(), d.createdAt(),
                d.startedAt(), d.finishedAt(), d.environment(), d.retryOf(),
                changes == null ? null : changes.stream().map(c -> new StatusChangeView(c.status(), c.changedAt()))
                        .toList(), d.previewId(), d.trusted(), d.pullRequest());
    }

    /** When the deployment entered a status. */
    public record StatusChangeView(DeploymentStatus status, Instant at) {
    }
}
