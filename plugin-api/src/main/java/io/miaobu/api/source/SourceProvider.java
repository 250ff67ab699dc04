package io.miaobu.api.source;

import io.miaobu.api.ExtensionException;
import io.miaobu.api.MiaobuExtension;
import io.miaobu.api.host.TaskLog;

/**
 * Where a project's source code comes from: resolves branches to commits, checks commits out, and where the source host
 * supports it lists repositories, parses webhooks and takes commit statuses.
 *
 * <p>Called by the build executor on a build thread ({@link #checkout}), and by request threads for the rest.
 * Implementations are stateless, thread-safe singletons; credentials arrive in each {@link SourceRepository} and must
 * never be written into a URL, a command line, a log or an exception message.
 */
public interface SourceProvider extends MiaobuExtension {

    /**
     * Whether this provider can fetch the repository at {@code url}. The host asks every provider when a project is
     * created and keeps the first that answers {@code true} (more specific providers are asked first). Must be fast
     * and must not touch the network.
     */
    boolean handles(String url);

    /**
     * Resolves the tip of the repository's branch without checking anything out.
     *
     * @return the full commit id
     * @throws ExtensionException when the repository or branch cannot be reached, with the reason in words
     */
    String resolveBranch(SourceRepository repository);

    /**
     * Checks out one commit into {@link CheckoutRequest#workspace()} and describes it. Shallow where the remote
     * allows. Progress goes to {@code log}.
     *
     * @return the commit checked out; when a sha was requested, exactly that one
     * @throws ExtensionException   when the repository, branch or commit cannot be fetched
     * @throws InterruptedException when the build is cancelled; stop promptly
     */
    Commit checkout(CheckoutRequest request, TaskLog log) throws InterruptedException;

    /**
     * Lists repositories the user can import.
     *
     * @throws ExtensionException when this source host has no such listing (the default)
     */
    default RepositoryPage listRepositories(RepositoryQuery query) {
        throw new ExtensionException(displayName() + " cannot list repositories; enter the repository URL instead.");
    }

    /**
     * Verifies and parses a webhook delivery. Verification (signature, in constant time) comes first; a delivery that
     * fails it must throw.
     *
     * @throws ExtensionException when the delivery is not authentic or not understood (the default: no webhooks)
     */
    default WebhookEvent parseWebhook(WebhookDelivery delivery) {
        throw new ExtensionException(displayName() + " does not accept webhooks.");
    }

    /**
     * Reports a deployment's state on the commit at the source host. The default does nothing. Called on a
     * background thread after the state is committed; failures are logged and do not affect the deployment.
     */
    default void reportStatus(CommitStatus status) {
    }

    /** Whether this provider can register webhooks itself ({@link #installWebhook}). */
    default boolean supportsWebhooks() {
        return false;
    }

    /**
     * Registers a webhook for the repository's push and pull-request events, signed with the setup's secret.
     *
     * @return the source host's id of the hook, kept to remove it later
     * @throws ExtensionException when the source host refuses (no admin rights on the repository, ...), or when this
     *                            provider cannot register webhooks (the default)
     */
    default String installWebhook(WebhookSetup setup) {
        throw new ExtensionException(displayName() + " cannot register webhooks; add one by hand.");
    }

    /**
     * Removes a webhook registered by {@link #installWebhook}. Removing one that is already gone succeeds. The
     * default does nothing.
     *
     * @throws ExtensionException when the source host refuses
     */
    default void removeWebhook(SourceRepository repository, String webhookId) {
    }

    /** Whether a pull request is still open, for the host's sweep of stale previews. The default cannot tell. */
    default RefState pullRequestState(SourceRepository repository, int number) {
        return RefState.UNKNOWN;
    }

    /** Whether a branch still exists, for the host's sweep of stale previews. The default cannot tell. */
    default RefState branchState(SourceRepository repository, String branch) {
        return RefState.UNKNOWN;
    }

    /**
     * Creates or updates the one comment on a pull request that shows its preview. The default does nothing. Called
     * on a background thread; failures are logged and do not affect the deployment.
     */
    default void reportPreview(PreviewComment comment) {
    }
}
