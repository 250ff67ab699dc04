package io.miaobu.server.build;

import java.time.Duration;
import java.time.Instant;

/**
 * One build of a project and, once published, its immutable copy on the deploy target.
 *
 * @param requestedSha     the commit asked for, or {@code null} for the branch tip at build time
 * @param commitSha        the commit actually built; set when checked out
 * @param storageRef       the deploy target's reference to the published copy; set when published
 * @param storageLocation  where the copy is ({@code file:} for local storage)
 * @param detectedFramework what the builder detected for this build, before the project's overrides (likewise the
 *                          other {@code detected*} fields); {@code null} until the build got that far
 * @param environment      whose variables the build gets: {@code production} (or {@code preview})
 * @param retryOf          the deployment this one re-runs after a server restart interrupted it; {@code null} for others
 * @param pinned           kept by the retention policy however old it gets
 * @param progressFilesDone while it uploads: files published so far (of {@code fileCount}); likewise
 *                          {@code progressBytesDone} of {@code totalBytes}; {@code null} before the target reported
 * @param previewId        the preview this deployment was built for; {@code null} for production deployments and
 *                         for those whose preview has been removed since (see {@link #isPreview()})
 * @param trusted          whether the build may see the project's secrets (not for a pull request from a fork)
 * @param pullRequest      the pull request this deployment was built for, or {@code null}
 */
public record Deployment(
        long id,
        long projectId,
        DeploymentStatus status,
        String triggerKind,
        String branch,
        String requestedSha,
        String commitSha,
        String commitAuthor,
        String commitMessage,
        String error,
        String deployTarget,
        String storageRef,
        String storageLocation,
        Long fileCount,
        Long totalBytes,
        Long uploadedBytes,
        Long triggeredBy,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        String detectedFramework,
        String detectedPackageManager,
        String detectedInstallCommand,
        String detectedBuildCommand,
        String detectedOutputDirectory,
        String environment,
        Long retryOf,
        boolean pinned,
        Long previewId,
        boolean trusted,
        Integer pullRequest,
        Long progressFilesDone,
        Long progressBytesDone) {

    /** Built for a preview (whether or not the preview still exists): never the project's live deployment. */
    public boolean isPreview() {
        return "preview".equals(environment);
    }

    public boolean isPublished() {
        return status == DeploymentStatus.LIVE && storageRef != null;
    }

    public String commitTitle() {
        if (commitMessage == null) {
            return "";
        }
        int end = commitMessage.indexOf('\n');
        return end < 0 ? commitMessage : commitMessage.substring(0, end);
    }

    public String commitShort() {
        return commitSha == null ? "" : commitSha.substring(0, Math.min(7, commitSha.length()));
    }

    /** Build time so far or in total; null before it started. */
    public Duration duration(Instant now) {
        if (startedAt == null) {
            return null;
        }
        return Duration.between(startedAt, finishedAt == null ? now : finishedAt);
    }
}
