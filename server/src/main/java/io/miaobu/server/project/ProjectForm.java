package io.miaobu.server.project;

/**
 * What a user submits to create or change a project (form or JSON). Any field may be null; the service validates.
 */
public record ProjectForm(
        String name,
        String repositoryUrl,
        String branch,
        String rootDirectory,
        String installCommand,
        String buildCommand,
        String outputDirectory,
        Boolean spa) {
}
