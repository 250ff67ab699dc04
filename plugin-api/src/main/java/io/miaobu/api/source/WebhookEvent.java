package io.miaobu.api.source;

/**
 * What a verified webhook delivery asks Miaobu to do. The host records every delivery with its outcome.
 */
public sealed interface WebhookEvent {

    /** The source host's id of this delivery, used to process each delivery once; may be empty. */
    String deliveryId();

    /** A ping sent when the hook is created: answered, nothing built. */
    record Ping(String deliveryId) implements WebhookEvent {
    }

    /**
     * Commits pushed to a branch.
     *
     * @param branch    the branch name without {@code refs/heads/}
     * @param commitSha the new tip
     * @param deleted   whether the branch was deleted (then {@code commitSha} is empty)
     */
    record Push(String deliveryId, String branch, String commitSha, boolean deleted) implements WebhookEvent {
    }

    /**
     * A pull request changed.
     *
     * @param number     the pull request number
     * @param action     {@code opened}, {@code synchronize}, {@code reopened}, {@code closed}, ...
     * @param headBranch the branch proposed for merging
     * @param headSha    its tip
     * @param fromFork   whether the head branch lives in another repository
     */
    record PullRequest(String deliveryId, int number, String action, String headBranch, String headSha,
                       boolean fromFork) implements WebhookEvent {
    }

    /**
     * A verified delivery Miaobu has nothing to do for.
     *
     * @param reason why, in words shown in the delivery log
     */
    record Ignored(String deliveryId, String reason) implements WebhookEvent {
    }
}
