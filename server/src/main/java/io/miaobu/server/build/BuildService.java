package io.miaobu.server.build;

import io.miaobu.server.auth.User;
import io.miaobu.server.project.Project;
import io.miaobu.server.web.UserFacingException;
import java.time.Clock;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/** Queues, lists and cancels deployments. */
public final class BuildService {

    private final Jdbi jdbi;
    private final DeploymentDao deployments;
    private final BuildExecutor executor;
    private final Clock clock;

    public BuildService(Jdbi jdbi, BuildExecutor executor, Clock clock) {
        this.jdbi = jdbi;
        this.deployments = jdbi.onDemand(DeploymentDao.class);
        this.executor = executor;
        this.clock = clock;
    }

    /** Queues a deployment of the project's branch tip (or of {@code commitSha} when given). */
    public Deployment enqueue(Project project, User user, String trigger, String commitSha) {
        if (commitSha != null && !commitSha.matches("[0-9a-f]{40}")) {
            throw UserFacingException.invalid("commitSha", "A commit is given by its full 40-character id.");
        }
        long id = jdbi.inTransaction(handle -> {
            DeploymentDao dao = handle.attach(DeploymentDao.class);
            long newId = dao.insertQueued(project.id(), trigger, project.branch(), commitSha, project.deployTarget(),
                    user == null ? null : user.id(), clock.instant());
            dao.recordStatusChange(newId, DeploymentStatus.QUEUED, clock.instant());
            return newId;
        });
        Deployment queued = deployments.findById(id).orElseThrow();
        executor.wake();
        return queued;
    }

    public Deployment get(long id) {
        return deployments.findById(id).orElseThrow(() -> UserFacingException.notFound("No deployment " + id + "."));
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
            boolean cancelled = jdbi.inTransaction(handle -> {
                DeploymentDao dao = handle.attach(DeploymentDao.class);
                if (dao.cancelQueued(id, reason, clock.instant()) != 1) {
                    return false;
                }
                dao.recordStatusChange(id, DeploymentStatus.CANCELLED, clock.instant());
                return true;
            });
            if (cancelled) {
                return get(id);
            }
            deployment = get(id);
        }
        if (DeploymentStatus.RUNNING.contains(deployment.status())) {
            if (!executor.cancelRunning(id, reason)) {
                throw UserFacingException.conflict("Deployment " + id + " is already going live and cannot be"
                        + " cancelled.");
            }
            return get(id);
        }
        throw UserFacingException.conflict("Deployment " + id + " has already ended (" + deployment.status() + ").");
    }
}
