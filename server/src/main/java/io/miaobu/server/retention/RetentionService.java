package io.miaobu.server.retention;

import io.miaobu.api.deploy.DeployTarget;
import io.miaobu.api.deploy.PublishedDeployment;
import io.miaobu.api.deploy.SiteDeployment;
import io.miaobu.api.host.TaskLog;
import io.miaobu.server.boot.Managed;
import io.miaobu.server.boot.RetentionConfig;
import io.miaobu.server.build.BuildLogs;
import io.miaobu.server.build.Deployment;
import io.miaobu.server.build.DeploymentDao;
import io.miaobu.server.build.DeploymentStatus;
import io.miaobu.server.deploy.DeployService;
import io.miaobu.server.files.FileTrees;
import io.miaobu.server.plugin.ExtensionRegistry;
import io.miaobu.server.plugin.ExtensionSettings;
import io.miaobu.server.project.Project;
import io.miaobu.server.project.ProjectDao;
import io.miaobu.server.project.ProjectExtensionValues;
import io.miaobu.server.web.UserFacingException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the {@link RetentionPolicy}: purges old deployments (their files through the project's deploy target, their
 * build log and workspace; status {@code PURGED}), deletes build logs past {@code retention.logs}, and pins. Runs on
 * the scheduler it is given: every {@link #PERIOD} for every project (also compressing logs left uncompressed,
 * deleting logs of deployments that are gone and removing leftover workspaces), and for one project when
 * {@link #runFor} is called after a build.
 *
 * <p>A deployment is marked {@code PURGED} under the project's activation lock ({@link DeployService#unlessLive})
 * before its files are deleted, so a rollback never makes half-deleted files live. If deleting them fails, the row
 * keeps its storage reference and the next run tries again.
 */
public final class RetentionService implements Managed {

    static final Duration PERIOD = Duration.ofMinutes(10);
    private static final Duration FIRST_RUN = Duration.ofMinutes(1);
    private static final int STATUS_BATCH = 500;
    private static final Logger LOG = LoggerFactory.getLogger(RetentionService.class);

    private final Jdbi jdbi;
    private final RetentionDao dao;
    private final DeploymentDao deployments;
    private final ProjectDao projects;
    private final ExtensionRegistry extensions;
    private final ExtensionSettings settings;
    private final ProjectExtensionValues projectSettings;
    private final DeployService deploys;
    private final BuildLogs logs;
    private final Path workspaces;
    private final LeftoverWorkspaces leftovers;
    private final RetentionPolicy policy;
    private final ScheduledExecutorService scheduler;
    private final Clock clock;
    private final Set<Long> pending = ConcurrentHashMap.newKeySet();
    private volatile boolean stopped;
    private volatile ScheduledFuture<?> periodic;

    /** @param projectSettings what a project saved for its deploy target, for deleting its deployments' files */
    public RetentionService(Jdbi jdbi, ExtensionRegistry extensions, ExtensionSettings settings,
                            ProjectExtensionValues projectSettings, DeployService deploys, BuildLogs logs,
                            Path workspaces, RetentionConfig config, ScheduledExecutorService scheduler,
                            Clock clock) {
        this.jdbi = jdbi;
        this.dao = jdbi.onDemand(RetentionDao.class);
        this.deployments = jdbi.onDemand(DeploymentDao.class);
        this.projects = jdbi.onDemand(ProjectDao.class);
        this.extensions = extensions;
        this.settings = settings;
        this.projectSettings = projectSettings;
        this.deploys = deploys;
        this.logs = logs;
        this.workspaces = workspaces;
        this.leftovers = new LeftoverWorkspaces(workspaces);
        this.policy = new RetentionPolicy(config.deployments(), config.logs());
        this.scheduler = scheduler;
        this.clock = clock;
    }

    @Override
    public void start() {
        stopped = false;
        periodic = scheduler.scheduleWithFixedDelay(() -> runScheduled("every project", this::applyToAll),
                FIRST_RUN.toMillis(), PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops scheduling runs and waits for one in progress (the database closes after this). */
    @Override
    public void stop() {
        stopped = true;
        ScheduledFuture<?> scheduled = periodic;
        if (scheduled != null) {
            scheduled.cancel(false);
        }
        synchronized (this) {
            // a run holds this lock; none starts once stopped is set
        }
    }

    /**
     * Applies retention to one project soon, on the scheduler; returns at once. Call it when a deployment of the
     * project has ended. Calls for a project that is waiting for its run already are merged into that run.
     */
    public void runFor(long projectId) {
        if (stopped || !pending.add(projectId)) {
            return;
        }
        try {
            scheduler.execute(() -> {
                pending.remove(projectId);
                runScheduled("project " + projectId, () -> applyTo(projectId));
            });
        } catch (RejectedExecutionException e) {
            pending.remove(projectId);
            LOG.debug("Retention for project {} skipped: the server is stopping", projectId);
        }
    }

    /** Applies retention to one project now, on the calling thread. */
    public synchronized Outcome applyTo(long projectId) {
        Project project = projects.findById(projectId).orElse(null);
        if (project == null) {
            return Outcome.NOTHING;
        }
        RetentionPolicy.Plan plan = policy.plan(dao.entriesOf(projectId), project.liveDeploymentId(),
                dao.previewDeploymentsOf(projectId));
        int purged = 0;
        for (RetentionPolicy.Entry entry : plan.purge()) {
            if (purge(project, entry)) {
                purged++;
            }
        }
        for (RetentionPolicy.Entry entry : plan.finishDeletes()) {
            deployments.findById(entry.id()).ifPresent(d -> deleteStored(project, d));
        }
        int logsDeleted = 0;
        for (long id : plan.dropLogs()) {
            if (!logs.isActive(id) && logs.delete(id)) {
                logsDeleted++;
            }
        }
        if (purged > 0 || logsDeleted > 0) {
            LOG.info("Retention for {}: {} deployments purged, {} further build logs deleted", project.slug(),
                    purged, logsDeleted);
        }
        return new Outcome(purged, logsDeleted);
    }

    /**
     * Applies retention to every project now, on the calling thread, then tidies what no project run sees: logs of
     * ended builds left uncompressed, logs of deployments that no longer exist, and leftover workspaces.
     */
    public synchronized Outcome applyToAll() {
        int purged = 0;
        int logsDeleted = 0;
        for (long projectId : dao.projectIds()) {
            if (stopped) {
                return new Outcome(purged, logsDeleted);
            }
            try {
                Outcome outcome = applyTo(projectId);
                purged += outcome.purged();
                logsDeleted += outcome.logsDeleted();
            } catch (RuntimeException e) {
                LOG.warn("Retention for project {} failed; trying again in the next run", projectId, e);
            }
        }
        logsDeleted += sweepLogs();
        leftovers.sweep(clock.instant(), id -> dao.statusOf(id).map(s -> !s.isFinal()).orElse(false));
        return new Outcome(purged, logsDeleted);
    }

    /** Pins a deployment: retention keeps it however old it gets. */
    public Deployment pin(long deploymentId) {
        Deployment deployment = get(deploymentId);
        if (dao.setPinned(deploymentId, true) == 0) {
            throw UserFacingException.conflict("Deployment " + deploymentId + " was purged by the retention policy;"
                    + " there is nothing left to pin.");
        }
        LOG.debug("Deployment {} of project {} pinned", deploymentId, deployment.projectId());
        return get(deploymentId);
    }

    /** Unpins a deployment: retention treats it like any other from its next run on. */
    public Deployment unpin(long deploymentId) {
        get(deploymentId);
        dao.setPinned(deploymentId, false);
        return get(deploymentId);
    }

    /**
     * What a run did.
     *
     * @param purged      deployments purged
     * @param logsDeleted build logs deleted besides those of the deployments purged
     */
    public record Outcome(int purged, int logsDeleted) {
        static final Outcome NOTHING = new Outcome(0, 0);
    }

    private Deployment get(long deploymentId) {
        return deployments.findById(deploymentId)
                .orElseThrow(() -> UserFacingException.notFound("No deployment " + deploymentId + "."));
    }

    private boolean purge(Project project, RetentionPolicy.Entry entry) {
        Deployment deployment = deployments.findById(entry.id()).orElse(null);
        if (deployment == null) {
            return false;
        }
        if (deployment.storageRef() != null && target(deployment) == null) {
            LOG.warn("Deployment {} of {} is due to be purged, but its deploy target '{}' is not running; it is kept"
                    + " for now", deployment.id(), project.slug(), deployment.deployTarget());
            return false;
        }
        boolean marked = deploys.unlessLive(project.id(), deployment.id(), () -> jdbi.inTransaction(handle -> {
            if (handle.attach(RetentionDao.class).markPurged(deployment.id(), entry.status()) != 1) {
                return false;
            }
            handle.attach(DeploymentDao.class).recordStatusChange(deployment.id(), DeploymentStatus.PURGED,
                    clock.instant());
            return true;
        }));
        if (!marked) {
            return false;
        }
        LOG.info("Purging deployment {} of {} (status {}): not among its newest {}, not live, not pinned",
                deployment.id(), project.slug(), deployment.status(), deployment.isPreview()
                        ? RetentionPolicy.KEEP_PREVIEW_DEPLOYMENTS + " previews'" : policy.keepDeployments());
        logs.delete(deployment.id());
        try {
            FileTrees.deleteRecursively(workspaces.resolve(Long.toString(deployment.id())));
        } catch (IOException e) {
            LOG.warn("Could not remove the workspace of purged deployment {}: {}", deployment.id(), e.toString());
        }
        if (deployment.storageRef() != null) {
            deleteStored(project, deployment);
        }
        return true;
    }

    /** Deletes a purged deployment's files from its deploy target; on failure the next run tries again. */
    private void deleteStored(Project project, Deployment deployment) {
        DeployTarget target = target(deployment);
        if (target == null) {
            LOG.warn("The files of purged deployment {} stay until its deploy target '{}' runs again",
                    deployment.id(), deployment.deployTarget());
            return;
        }
        var published = new PublishedDeployment(deployment.storageRef(), URI.create(deployment.storageLocation()),
                orZero(deployment.fileCount()), orZero(deployment.totalBytes()), orZero(deployment.uploadedBytes()));
        try {
            target.delete(new SiteDeployment(project.slug(), published, settings.valuesFor("DeployTarget", target),
                    projectSettings.valuesFor(project.id(), "DeployTarget", target),
                    new io.miaobu.server.ops.OperatorTaskLog(LOG, "deployment " + deployment.id())));
            dao.forgetStorage(deployment.id());
        } catch (RuntimeException e) {
            LOG.warn("Could not delete the files of purged deployment {} of {}; trying again in the next run: {}",
                    deployment.id(), project.slug(), e.getMessage());
        }
    }

    private DeployTarget target(Deployment deployment) {
        return extensions.find(DeployTarget.class, deployment.deployTarget()).orElse(null);
    }

    /**
     * Compresses the logs of ended builds that are still plain (the server stopped before it could), and deletes the
     * logs of deployments that no longer exist. The files are listed before the rows are read, and a build's row
     * exists before its log does, so a log without a row is one whose deployment was deleted.
     */
    private int sweepLogs() {
        List<Long> ids = new ArrayList<>(logs.storedLogIds());
        Map<Long, DeploymentStatus> statuses = new HashMap<>();
        for (int from = 0; from < ids.size(); from += STATUS_BATCH) {
            dao.statusesOf(ids.subList(from, Math.min(ids.size(), from + STATUS_BATCH)))
                    .forEach(row -> statuses.put(row.id(), row.status()));
        }
        int deleted = 0;
        for (long id : ids) {
            DeploymentStatus status = statuses.get(id);
            if (status == null) {
                if (logs.delete(id)) {
                    deleted++;
                }
            } else if (status.isFinal() && logs.isPlain(id) && !logs.isActive(id)) {
                logs.compress(id);
            }
        }
        return deleted;
    }

    private synchronized void runScheduled(String what, Runnable run) {
        if (stopped) {
            return;
        }
        try {
            run.run();
        } catch (RuntimeException e) {
            // a scheduled task that throws is never run again
            LOG.warn("Retention for {} failed; trying again in the next run", what, e);
        }
    }

    private static long orZero(Long value) {
        return value == null ? 0 : value;
    }
}
