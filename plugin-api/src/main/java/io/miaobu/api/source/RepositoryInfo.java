package io.miaobu.api.source;

/**
 * A repository offered in the import picker.
 *
 * @param fullName      e.g. {@code octo/site}
 * @param cloneUrl      what to store as the project's repository URL
 * @param defaultBranch the branch to propose as production branch
 * @param privateRepo   whether it is private
 * @param webUrl        the repository's page, or {@code null}
 */
public record RepositoryInfo(String fullName, String cloneUrl, String defaultBranch, boolean privateRepo,
                             String webUrl) {
}
