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
        Integer pullRequest,
        UploadProgress upload) {

    /**
     * Publishing, while it runs (files and bytes done of the totals) and afterwards ({@code bytesUploaded}: what had
     * to be sent to storage, the rest was stored already); {@code null} before the deploy target reported anything.
     */
    public record UploadProgress(boolean running, long filesDone, long filesTotal, long bytesDone, long bytesTotal,
                                 Long bytesUploaded) {

        static UploadProgress of(Deployment d) {
            if (d.status() == DeploymentStatus.UPLOADING && d.progressFilesDone() != null && d.fileCount() != null
                    && d.totalBytes() != null) {
                return new UploadProgress(true, d.progressFilesDone(), d.fileCount(),
                        d.progressBytesDone() == null ? 0 : d.progressBytesDone(), d.totalBytes(), null);
            }
            if (d.storageRef() != null && d.fileCount() != null && d.totalBytes() != null) {
                return new UploadProgress(false, d.fileCount(), d.fileCount(), d.totalBytes(), d.totalBytes(),
                        d.uploadedBytes());
            }
            return null;
        }
    }

    public static DeploymentView of(Deployment d, Long liveDeploymentId, List<StatusChange> changes) {
        return new DeploymentView(d.id(), d.projectId(), d.status(), liveDeploymentId != null
                && liveDeploymentId == d.id(), d.pinned(), d.triggerKind(), d.branch(), d.commitSha(), d.commitAuthor(),
                d.commitMessage(), d.error(), d.fileCount(), d.totalBytes(), d.uploadedBytes(), d.createdAt(),
                d.startedAt(), d.finishedAt(), d.environment(), d.retryOf(),
                changes == null ? null : changes.stream().map(c -> new StatusChangeView(c.status(), c.changedAt()))
                        .toList(), d.previewId(), d.trusted(), d.pullRequest(), UploadProgress.of(d));
    }

    /** When the deployment entered a status. */
    public record StatusChangeView(DeploymentStatus status, Instant at) {
    }
}
