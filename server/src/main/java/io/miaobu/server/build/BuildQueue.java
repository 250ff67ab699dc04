package io.miaobu.server.build;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * The queue of deployments waiting for, or held by, an executor. It assumes nothing about running in one process:
 * every claim names the node that holds it, running builds are kept alive by heartbeats, and a cancel reaches a build
 * on another node as a request that node's heartbeat picks up. {@link DatabaseBuildQueue} keeps it in the deployments
 * table (H2 or PostgreSQL); a clustered mode can put the waiting line on Redis Streams behind the same interface.
 *
 * <p>Called by {@link BuildService} (request threads) and {@link BuildExecutor} (its dispatcher and heartbeat);
 * implementations are thread-safe.
 */
public interface BuildQueue {

    /**
     * Queues a deployment. Older queued deployments of the same project, branch and environment (for a preview: of
     * the same preview) are cancelled as "superseded by #id": only the newest push of a branch is built.
     */
    Deployment enqueue(NewDeployment request);

    /**
     * Claims up to {@code max} queued deployments for {@code nodeId}, oldest first, respecting each project's limit of
     * concurrent builds. A claimed deployment is in {@code CLONING}, owned by the node, with a fresh heartbeat.
     */
    List<Deployment> claim(String nodeId, int max);

    /**
     * Records that the node still runs these deployments.
     *
     * @return the cancel requests waiting for them: deployment id → reason
     */
    java.util.Map<Long, String> heartbeat(String nodeId, Collection<Long> running);

    /**
     * Fails every deployment the node held when it stopped (it cannot be running any more: the node is starting), and
     * queues a retry of each whose project allows it and that is not itself a retry.
     *
     * @return the deployments failed
     */
    List<Deployment> recoverAfterRestart(String nodeId);

    /**
     * Fails running deployments whose heartbeat is older than {@code silence} (their node died or hangs), with
     * retries as in {@link #recoverAfterRestart}. Deployments in {@code ownRunning} are never failed here.
     *
     * @return the deployments failed
     */
    List<Deployment> failSilent(Duration silence, Set<Long> ownRunning);

    /** Cancels a queued deployment; false when it is no longer queued. */
    boolean cancelQueued(long deploymentId, String reason);

    /** Asks the node running the deployment to cancel it; false when it is not running. */
    boolean requestCancel(long deploymentId, String reason);

    /** Cancels every queued deployment of the project; returns how many. */
    int clearProject(long projectId, String reason);

    /** Queued and running deployments across all projects, with the node holding each: the admins' queue view. */
    List<QueueEntry> active();

    /**
     * A deployment to queue.
     *
     * @param requestedSha a commit, or {@code null} for the branch tip at build time
     * @param retryOf      the interrupted deployment this re-runs, or {@code null}
     * @param previewId    the preview it is built for, or {@code null} for production
     * @param trusted      whether the build gets the project's secrets (false for pull requests from forks)
     * @param pullRequest  the pull request it is built for, or {@code null}
     */
    record NewDeployment(long projectId, String triggerKind, String branch, String requestedSha, String deployTarget,
                         Long triggeredBy, String environment, Long retryOf, Long previewId, boolean trusted,
                         Integer pullRequest) {

        /** A trusted deployment of no preview. */
        public NewDeployment(long projectId, String triggerKind, String branch, String requestedSha,
                             String deployTarget, Long triggeredBy, String environment, Long retryOf) {
            this(projectId, triggerKind, branch, requestedSha, deployTarget, triggeredBy, environment, retryOf, null,
                    true, null);
        }
    }

    /** One line of the queue view. */
    record QueueEntry(Deployment deployment, String projectSlug, String claimedBy, java.time.Instant heartbeatAt,
                      int position) {
    }

    /** How long a build may go without a heartbeat before the watchdog fails it. */
    Duration DEFAULT_SILENCE = Duration.ofSeconds(60);
}
