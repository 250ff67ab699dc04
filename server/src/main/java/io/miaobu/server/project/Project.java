package io.miaobu.server.project;

import java.time.Instant;

/**
 * A site: a repository and branch, how to build it, and which deployment is live.
 *
 * @param installCommand  the user's override, or empty to use the detected one (likewise build/output)
 * @param rootDirectory   the directory within the repository holding the site (monorepos); empty for the root
 * @param liveDeploymentId the live deployment, or {@code null}
 */
public record Project(
        long id,
        String slug,
        String name,
        String repositoryUrl,
        String branch,
        String rootDirectory,
        String installCommand,
        String buildCommand,
        String outputDirectory,
        boolean spa,
        String sourceProvider,
        String builder,
        String deployTarget,
        Long liveDeploymentId,
        Long createdBy,
        Instant createdAt,
        Instant updatedAt) {
}
