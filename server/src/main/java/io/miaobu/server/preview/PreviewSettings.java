package io.miaobu.server.preview;

/**
 * Which previews a project gets.
 *
 * @param pullRequestPreviews pull requests get a preview (default on)
 * @param branchPreviews      pushes to branches other than the production branch get a preview (default off)
 * @param forkPreviews        pull requests from forks are built too, without the project's secrets (default off)
 */
public record PreviewSettings(Boolean pullRequestPreviews, Boolean branchPreviews, Boolean forkPreviews) {
}
