package io.miaobu.server.project;

import io.miaobu.api.ExtensionException;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.deploy.DeployTarget;
import io.miaobu.server.auth.User;
import io.miaobu.server.build.BuildLogs;
import io.miaobu.server.build.BuildService;
import io.miaobu.server.build.cache.DependencyCache;
import io.miaobu.server.build.Deployment;
import io.miaobu.server.build.DeploymentDao;
import io.miaobu.server.deploy.LiveSites;
import io.miaobu.server.preview.PreviewDao;
import io.miaobu.server.plugin.ExtensionRegistry;
import io.miaobu.server.web.UserFacingException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes a project and everything it left behind: its builds are cancelled, its site and every deployment removed
 * from storage, its logs deleted, then its rows. Nothing of it is served afterwards.
 */
public final class ProjectRemover {

    private static final Logger LOG = LoggerFactory.getLogger(ProjectRemover.class);
    private static final Duration BUILD_STOP_WAIT = Duration.ofSeconds(30);

    private final ProjectService projects;
    private final ProjectDao projectDao;
    private final DeploymentDao deployments;
    private final BuildService builds;
    private final BuildLogs logs;
    private final ExtensionRegistry extensions;
    private final LiveSites liveSites;
    private final DependencyCache dependencyCache;
    private final Jdbi jdbi;
    private final List<Cleanup> cleanups;
    /** A deploy target's server-wide settings, for removing the site. */
    private final java.util.function.Function<DeployTarget, ConfigValues> targetSettings;
    /** What the project saved for its deploy target, for removing the site. */
    private final ProjectExtensionValues projectSettings;

    /** Undoes what a project set up outside Miaobu (its webhook at the source host) before it is deleted. */
    @FunctionalInterface
    public interface Cleanup {
        /** Must not throw for an outside service that refuses: the project is deleted regardless. */
        void beforeDelete(Project project);
    }

    public ProjectRemover(Jdbi jdbi, ProjectService projects, BuildService builds, BuildLogs logs,
                          ExtensionRegistry extensions, LiveSites liveSites, DependencyCache dependencyCache,
                          List<Cleanup> cleanups,
                          java.util.function.Function<DeployTarget, ConfigValues> targetSettings,
                          ProjectExtensionValues projectSettings) {
        this.targetSettings = targetSettings;
        this.projectSettings = projectSettings;
        this.cleanups = List.copyOf(cleanups);
        this.dependencyCache = dependencyCache;
        this.jdbi = jdbi;
        this.projects = projects;
        this.projectDao = jdbi.onDemand(ProjectDao.class);
        this.deployments = jdbi.onDemand(DeploymentDao.class);
        this.builds = builds;
        this.logs = logs;
        this.extensions = extensions;
        this.liveSites = liveSites;
    }

    /** Deletes the project; {@code confirmSlug} must repeat its slug, so that no project is deleted by mistake. */
    public void delete(long id, String confirmSlug, User user) {
        Project project = projects.get(id);
        if (confirmSlug == null || !confirmSlug.strip().equals(project.slug())) {
            throw UserFacingException.invalid("confirmSlug", "Type the project's slug '" + project.slug()
                    + "' to confirm.");
        }
        DeployTarget target = extensions.find(DeployTarget.class, project.deployTarget())
                .orElseThrow(() -> UserFacingException.conflict("The deploy target '" + project.deployTarget()
                        + "' is not running, so the site's files cannot be removed. Ask an admin to start it."));
        stopBuilds(project, user);
        for (Cleanup cleanup : cleanups) {
            cleanup.beforeDelete(project);
        }
        try {
            // read before the project's rows (its settings with them) are deleted
            target.removeSite(project.slug(), targetSettings.apply(target),
                    projectSettings.valuesFor(project.id(), "DeployTarget", target));
        } catch (ExtensionException e) {
            throw new UserFacingException(502, "deploy_target_failed", e.getMessage(), null);
        }
        liveSites.remove(project.slug());
        // the previews' rows go with the project's; the site server must stop serving them too
        jdbi.onDemand(PreviewDao.class).listByProject(id)
                .forEach(preview -> liveSites.remove(preview.hostLabel(project.slug())));
        List<Long> deploymentIds = deployments.idsOfProject(id);
        projectDao.delete(id);
        deploymentIds.forEach(logs::delete);
        dependencyCache.clear(id);
        LOG.info("Project {} ({}) deleted by {}", project.slug(), id, user == null ? "the server" : user.username());
    }

    private void stopBuilds(Project project, User user) {
        for (Deployment deployment : deployments.listUnfinishedOfProject(project.id())) {
            try {
                builds.cancel(deployment.id(), user);
            } catch (UserFacingException e) {
                // ended meanwhile, or already going live: waited for below
            }
        }
        Instant deadline = Instant.now().plus(BUILD_STOP_WAIT);
        while (!deployments.listUnfinishedOfProject(project.id()).isEmpty()) {
            if (Instant.now().isAfter(deadline)) {
                throw UserFacingException.conflict("A build of this project is still stopping; try again shortly.");
            }
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
    }
}
