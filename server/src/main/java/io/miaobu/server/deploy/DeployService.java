package io.miaobu.server.deploy;

import io.miaobu.api.ExtensionException;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.deploy.DeployTarget;
import io.miaobu.api.deploy.PublishedDeployment;
import io.miaobu.api.deploy.SiteDeployment;
import io.miaobu.api.host.TaskLog;
import io.miaobu.server.build.Deployment;
import io.miaobu.server.build.DeploymentDao;
import io.miaobu.server.build.DeploymentStatus;
import io.miaobu.server.plugin.ExtensionRegistry;
import io.miaobu.server.plugin.Extensions;
import io.miaobu.server.preview.Preview;
import io.miaobu.server.preview.PreviewDao;
import io.miaobu.server.project.Project;
import io.miaobu.server.project.ProjectDao;
import io.miaobu.server.project.ProjectExtensionValues;
import io.miaobu.server.web.UserFacingException;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Going live and rolling back: the deploy target switches its pointer atomically, then the project's live deployment
 * is recorded and the built-in site server follows. One activation per project at a time.
 *
 * <p>A preview's deployment goes live under the same lock, but only as its preview's: the project's live deployment
 * stays. Removing a preview takes the lock too, so a build finishing meanwhile cannot bring it back.
 */
public final class DeployService {

    private static final Logger LOG = LoggerFactory.getLogger(DeployService.class);

    private final ProjectDao projects;
    private final DeploymentDao deployments;
    private final PreviewDao previews;
    private final ExtensionRegistry extensions;
    private final LiveSites liveSites;
    private final Clock clock;
    private final RollbackListener rollbacks;
    private final CdnRefresh cdnRefresh;
    /** A deploy target's server-wide settings, for its calls. */
    private final java.util.function.Function<DeployTarget, ConfigValues> targetSettings;
    /** What each project saved for its deploy target. */
    private final ProjectExtensionValues projectSettings;
    private final Map<Long, Object> projectLocks = new ConcurrentHashMap<>();

    public DeployService(Jdbi jdbi, ExtensionRegistry extensions, LiveSites liveSites, Clock clock) {
        this(jdbi, extensions, liveSites, clock, RollbackListener.NONE);
    }

    /** @param rollbacks told after a rollback has gone live (for notifications) */
    public DeployService(Jdbi jdbi, ExtensionRegistry extensions, LiveSites liveSites, Clock clock,
                         RollbackListener rollbacks) {
        this(jdbi, extensions, liveSites, clock, rollbacks, CdnRefresh.NONE, target -> ConfigValues.EMPTY,
                ProjectExtensionValues.NONE);
    }

    /**
     * @param cdnRefresh     refreshes the changed paths on the CDN after each go-live
     * @param targetSettings  a deploy target's server-wide settings, passed to its calls
     * @param projectSettings the settings a project saved for its deploy target, passed to its calls for the project
     */
    public DeployService(Jdbi jdbi, ExtensionRegistry extensions, LiveSites liveSites, Clock clock,
                         RollbackListener rollbacks, CdnRefresh cdnRefresh,
                         java.util.function.Function<DeployTarget, ConfigValues> targetSettings,
                         ProjectExtensionValues projectSettings) {
        this.cdnRefresh = cdnRefresh;
        this.targetSettings = targetSettings;
        this.projectSettings = projectSettings;
        this.rollbacks = rollbacks;
        this.projects = jdbi.onDemand(ProjectDao.class);
        this.deployments = jdbi.onDemand(DeploymentDao.class);
        this.previews = jdbi.onDemand(PreviewDao.class);
        this.extensions = extensions;
        this.liveSites = liveSites;
        this.clock = clock;
    }

    /** Fills the site server's map from the database at start: the projects' live deployments and the previews'. */
    public void loadLiveSites() {
        for (PreviewDao.LiveSite preview : previews.liveSites()) {
            liveSites.put(Preview.hostLabel(preview.label(), preview.slug()), preview.storageLocation(),
                    preview.spa());
        }
        List<Project> live = projects.listWithLiveDeployment();
        if (live.isEmpty()) {
            return;
        }
        Map<Long, Deployment> byId = deployments.findByIds(live.stream().map(Project::liveDeploymentId).toList())
                .stream().collect(Collectors.toMap(Deployment::id, d -> d));
        for (Project project : live) {
            Deployment deployment = byId.get(project.liveDeploymentId());
            if (deployment != null) {
                liveSites.put(project.slug(), deployment.storageLocation(), project.spa());
            }
        }
    }

    /** Makes a published deployment of the project live, then refreshes what changed on the CDN (following the task). */
    public void activate(Project project, Deployment deployment, TaskLog log) {
        activate(project, deployment, log, true);
    }

    /** As {@link #activate(Project, Deployment, TaskLog)}; {@code followCdn} false starts the CDN refresh only. */
    public void activate(Project project, Deployment deployment, TaskLog log, boolean followCdn) {
        activate(project, deployment, log, followCdn, extensions);
    }

    /**
     * As {@link #activate(Project, Deployment, TaskLog)}, with the deploy target and CDN from {@code from}: a build's
     * own extensions, the plugin versions it started with.
     */
    public void activate(Project project, Deployment deployment, TaskLog log, Extensions from) {
        activate(project, deployment, log, true, from);
    }

    private void activate(Project project, Deployment deployment, TaskLog log, boolean followCdn, Extensions from) {
        if (deployment.projectId() != project.id()) {
            throw UserFacingException.notFound("Deployment " + deployment.id() + " is not part of this project.");
        }
        if (deployment.isPreview()) {
            throw UserFacingException.conflict("Deployment " + deployment.id() + " was built for a preview, without"
                    + " the production environment; it cannot become the project's live deployment. Deploy its"
                    + " commit to production instead.");
        }
        DeployTarget target = publishedTarget(deployment, from);
        io.miaobu.api.deploy.ActivationResult changed;
        synchronized (lockOf(project.id())) {
            // retention marks a deployment PURGED under this lock before deleting its files
            if (deployments.findById(deployment.id()).map(Deployment::status).orElse(null)
                    == DeploymentStatus.PURGED) {
                throw purged(deployment.id());
            }
            changed = target.activate(siteDeployment(project, deployment, log, targetSettings.apply(target),
                    projectSettings.valuesFor(project.id(), "DeployTarget", target)));
            projects.setLiveDeployment(project.id(), deployment.id(), clock.instant());
            liveSites.put(project.slug(), deployment.storageLocation(), project.spa());
        }
        LOG.info("Project {} now serves deployment {}", project.slug(), deployment.id());
        if (changed != null) {
            cdnRefresh.afterGoLive(from, deployment.deployTarget(), project.slug(), changed.changedPaths(), log,
                    followCdn);
        }
    }

    /** What became of a preview deployment that was to go live. */
    public enum PreviewActivation {
        /** The preview serves it now. */
        LIVE,
        /** A newer deployment of the preview went live first; it keeps being served. */
        SUPERSEDED,
        /** The preview was removed (its pull request closed, its branch deleted) while this one was building. */
        PREVIEW_GONE
    }

    /**
     * Makes a published deployment of a preview the one its preview serves, leaving the project's live deployment
     * alone. An older deployment never replaces a newer one.
     *
     * @throws ExtensionException when the deploy target fails; the preview's previous deployment is still served
     */
    public PreviewActivation activatePreview(Project project, Deployment deployment, TaskLog log) {
        return activatePreview(project, deployment, log, extensions);
    }

    /** As {@link #activatePreview(Project, Deployment, TaskLog)}, with the deploy target and CDN from {@code from}. */
    public PreviewActivation activatePreview(Project project, Deployment deployment, TaskLog log, Extensions from) {
        if (deployment.projectId() != project.id() || deployment.previewId() == null) {
            throw new IllegalArgumentException("deployment " + deployment.id() + " is no preview of " + project.slug());
        }
        DeployTarget target = publishedTarget(deployment, from);
        io.miaobu.api.deploy.ActivationResult changed;
        String label;
        synchronized (lockOf(project.id())) {
            Preview preview = previews.findById(deployment.previewId()).orElse(null);
            if (preview == null) {
                return PreviewActivation.PREVIEW_GONE;
            }
            if (preview.liveDeploymentId() != null && preview.liveDeploymentId() > deployment.id()) {
                return PreviewActivation.SUPERSEDED;
            }
            label = preview.hostLabel(project.slug());
            changed = target.activatePreview(siteDeployment(project, deployment, log, targetSettings.apply(target),
                    projectSettings.valuesFor(project.id(), "DeployTarget", target)),
                    label);
            if (previews.setLiveDeployment(preview.id(), deployment.id(), clock.instant()) != 1) {
                return PreviewActivation.SUPERSEDED;
            }
            liveSites.put(label, deployment.storageLocation(), project.spa());
        }
        LOG.info("Preview {} of {} now serves deployment {}", deployment.previewId(), project.slug(), deployment.id());
        if (changed != null) {
            cdnRefresh.afterGoLive(from, deployment.deployTarget(), label, changed.changedPaths(), log, true);
        }
        return PreviewActivation.LIVE;
    }

    /**
     * Stops serving a preview and deletes it; its deployments then belong to no preview and retention removes them.
     * The deploy target is told first; when it fails, the preview stays and the failure is thrown.
     *
     * @return false when the preview was gone already
     * @throws ExtensionException when the deploy target refuses
     */
    public boolean removePreview(Project project, Preview preview) {
        String label = preview.hostLabel(project.slug());
        synchronized (lockOf(project.id())) {
            if (previews.findById(preview.id()).isEmpty()) {
                liveSites.remove(label);
                return false;
            }
            extensions.find(DeployTarget.class, project.deployTarget()).ifPresent(target ->
                    target.removePreview(project.slug(), label, targetSettings.apply(target),
                            projectSettings.valuesFor(project.id(), "DeployTarget", target)));
            previews.delete(preview.id());
            liveSites.remove(label);
        }
        LOG.info("Preview {} of {} removed", label, project.slug());
        return true;
    }

    private DeployTarget publishedTarget(Deployment deployment, Extensions from) {
        if (deployment.storageRef() == null || deployment.storageLocation() == null) {
            throw UserFacingException.conflict("Deployment " + deployment.id()
                    + " was never published, so it cannot go live.");
        }
        return from.find(DeployTarget.class, deployment.deployTarget())
                .orElseThrow(() -> new ExtensionException("The deploy target '" + deployment.deployTarget()
                        + "' is not installed or not running."));
    }

    /** Told when someone made an earlier deployment live again. */
    @FunctionalInterface
    public interface RollbackListener {
        RollbackListener NONE = (project, deployment, byUser) -> { };

        void rolledBack(Project project, Deployment deployment, String byUser);
    }

    /** Rollback (or roll forward): makes an earlier successful deployment live again, without rebuilding. */
    public Deployment rollback(long deploymentId, TaskLog log) {
        return rollback(deploymentId, log, null);
    }

    /** As {@link #rollback(long, TaskLog)}, saying who did it. */
    public Deployment rollback(long deploymentId, TaskLog log, String byUser) {
        Deployment deployment = deployments.findById(deploymentId)
                .orElseThrow(() -> UserFacingException.notFound("No deployment " + deploymentId + "."));
        Project project = projects.findById(deployment.projectId())
                .orElseThrow(() -> UserFacingException.notFound("No deployment " + deploymentId + "."));
        if (deployment.status() == DeploymentStatus.PURGED) {
            throw purged(deploymentId);
        }
        if (!deployment.isPublished()) {
            throw UserFacingException.conflict("Deployment " + deploymentId + " is " + deployment.status()
                    + "; only a deployment that went live can be made live again.");
        }
        try {
            activate(project, deployment, log, false);
        } catch (ExtensionException e) {
            throw new UserFacingException(502, "deploy_target_failed", e.getMessage(), null);
        }
        rollbacks.rolledBack(project, deployment, byUser);
        return deployment;
    }

    /**
     * Runs {@code change} unless the deployment is its project's live one or a preview's, while no deployment of the
     * project can go live: retention marks a deployment purged through this, so a rollback cannot revive it meanwhile.
     *
     * @return what {@code change} returned; false when the deployment is live (or the project is gone)
     */
    public boolean unlessLive(long projectId, long deploymentId, BooleanSupplier change) {
        synchronized (lockOf(projectId)) {
            Project project = projects.findById(projectId).orElse(null);
            if (project == null || Objects.equals(project.liveDeploymentId(), deploymentId)
                    || previews.countServing(deploymentId) > 0) {
                return false;
            }
            return change.getAsBoolean();
        }
    }

    private Object lockOf(long projectId) {
        return projectLocks.computeIfAbsent(projectId, id -> new Object());
    }

    private static UserFacingException purged(long deploymentId) {
        return UserFacingException.conflict("Deployment " + deploymentId + " was purged by the retention policy:"
                + " its files are gone, so it cannot go live again. Deploy its commit anew instead.");
    }

    static SiteDeployment siteDeployment(Project project, Deployment deployment, TaskLog log, ConfigValues global,
                                         ConfigValues projectValues) {
        var published = new PublishedDeployment(deployment.storageRef(), URI.create(deployment.storageLocation()),
                orZero(deployment.fileCount()), orZero(deployment.totalBytes()), orZero(deployment.uploadedBytes()));
        return new SiteDeployment(project.slug(), published, global, projectValues, log);
    }

    private static long orZero(Long value) {
        return value == null ? 0 : value;
    }
}
