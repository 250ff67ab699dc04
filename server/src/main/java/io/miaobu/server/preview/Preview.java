package io.miaobu.server.preview;

import java.time.Instant;

/**
 * A pull request's or a branch's own site, served at {@code <label>--<project slug>.<sites domain>}.
 *
 * @param label            the preview's part of the host label: the pull request's number, or a DNS-safe form of
 *                         the branch that is never all digits; unique within the project
 * @param branch           the branch built (a pull request's head branch, possibly in a fork)
 * @param pullRequest      the pull request's number; {@code null} for a branch preview
 * @param headSha          the newest commit asked for
 * @param fromFork         whether the pull request comes from a fork (its builds get no secrets)
 * @param liveDeploymentId the deployment the preview serves, or {@code null} before the first one went live
 */
public record Preview(
        long id,
        long projectId,
        Kind kind,
        String label,
        String branch,
        Integer pullRequest,
        String headSha,
        boolean fromFork,
        Long liveDeploymentId,
        Instant createdAt,
        Instant updatedAt) {

    /** What a preview is of. */
    public enum Kind { PULL_REQUEST, BRANCH }

    /** The host label the site server serves it under. */
    public String hostLabel(String projectSlug) {
        return hostLabel(label, projectSlug);
    }

    public static String hostLabel(String label, String projectSlug) {
        return label + "--" + projectSlug;
    }
}
