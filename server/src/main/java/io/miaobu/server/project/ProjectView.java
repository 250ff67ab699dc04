package io.miaobu.server.project;

import java.time.Instant;

/** A project as the API shows it. */
public record ProjectView(
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
        String url,
        Instant createdAt,
        Instant updatedAt) {

    public static ProjectView of(Project p, String url) {
        return new ProjectView(p.id(), p.slug(), p.name(), p.repositoryUrl(), p.branch(), p.rootDirectory(),
                p.installCommand(), p.buildCommand(), p.outputDirectory(), p.spa(), p.sourceProvider(), p.builder(),
                p.deployTarget(), p.liveDeploymentId(), url, p.createdAt(), p.updatedAt());
    }
}
