package io.miaobu.server.build;

import io.miaobu.server.auth.User;
import io.miaobu.server.project.Project;
import io.miaobu.server.web.UserFacingException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** Queues, lists and cancels deployments. */
public final class BuildService {

    private final DeploymentDao deployments;
    private final BuildQueue queue;
    private final BuildExecutor executor;

    public BuildService(Jdbi jdbi, BuildQueue queue, BuildExecutor executor) {
        this.deployments = jdbi.onDemand(DeploymentDao.class);
        this.queue = queue;
        this.executor = executor;
    }

    /** Queues a deployment of the project's branch tip (or of {@code commitSha} when given). */
    public Deployment enqueue(Project project, User user, String trigger, String commitSha) {
        if (commitSha != null && !commitSha.matches("[0-9a-f]{40}")) {
            throw UserFacingException.invalid("commitSha", "A commit is given by its full 40-character id.");
        }
        Deployment queued = queue.enqueue(new BuildQueue.NewDeployment(project.id(), trigger, project.branch(),
                commitSha, project.deployTarget(), user == null ? null : user.id(), "production", null));
        executor.wake();
        return queued;
    }

    /** Queues a deployment as given (previews build through this) and wakes the executor. */
    public Deployment enqueue(BuildQueue.NewDeployment request) {
        Deployment queued = queue.enqueue(request);
        executor.wake();
        return queued;
    }

    /**
     * Cancels a queued or running deployment for the server (a preview was removed); unlike {@link #cancel} it
     * refuses nothing: a deployment that has ended or is already going live is left as it is.
     *
     * @return whether a cancel was made or requested
     */
    public boolean cancelIfActive(long id, String reason) {
        if (queue.cancelQueued(id, reason)) {
            return true;
        }
        DeploymentStatus status = deployments.findById(id).map(Deployment::status).orElse(null);
        if (status == null || !DeploymentStatus.RUNNING.contains(status)) {
            return false;
        }
        return executor.isRunning(id) ? executor.cancelRunning(id, reason) : queue.requestCancel(id, reason);
    }

    /** Cancels every queued deployment of the project. */
    public int clearQueue(long projectId, User user) {
        return queue.clearProject(projectId, "Queue cleared by " + (user == null ? "the server" : user.username())
                + ".");
    }

    public List<BuildQueue.QueueEntry> activeQueue() {
        return queue.active();
    }

    public Deployment get(long id) {
        return deployments.findById(id).orElseThrow(() -> UserFacingException.notFound("No deployment " + id + "."));
    }

    /** The deployment's status; empty when there is no such deployment (any more). */
    public Optional<DeploymentStatus> statusOf(long id) {
        return deployments.findById(id).map(Deployment::status);
    }

    public List<Deployment> listForProject(long projectId, int limit) {
        return deployments.listByProject(projectId, limit);
    }

    public List<StatusChange> timeline(long deploymentId) {
        return deployments.statusChanges(deploymentId);
    }

    /** Cancels a queued or running deployment; refuses one that has ended or is already going live. */
    public Deployment cancel(long id, User user) {
        Deployment deployment = get(id);
        String reason = "Cancelled by " + (user == null ? "the server" : user.username()) + ".";
        if (deployment.status() == DeploymentStatus.QUEUED) {
            if (queue.cancelQueued(id, reason)) {
                return get(id);
            }
            deployment = get(id);
        }
        if (DeploymentStatus.RUNNING.contains(deployment.status())) {
            if (executor.isRunning(id)) {
                if (!executor.cancelRunning(id, reason)) {
                    throw UserFacingException.conflict("Deployment " + id + " is already going live and cannot be"
                            + " cancelled.");
                }
            } else if (!queue.requestCancel(id, reason)) {
                throw UserFacingException.conflict("Deployment " + id + " has just ended.");
            }
            // running on another node: its next heartbeat (within seconds) carries the cancel out
            return get(id);
        }
        throw UserFacingException.conflict("Deployment " + id + " has already ended (" + deployment.status() + ").");
    }
}
