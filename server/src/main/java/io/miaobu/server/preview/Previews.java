package io.miaobu.server.preview;

import io.miaobu.api.ExtensionException;
import io.miaobu.api.source.SourceProvider;
import io.miaobu.server.audit.Actor;
import io.miaobu.server.audit.AuditAction;
import io.miaobu.server.audit.AuditLog;
import io.miaobu.server.auth.User;
import io.miaobu.server.build.BuildQueue;
import io.miaobu.server.build.BuildService;
import io.miaobu.server.build.Deployment;
import io.miaobu.server.build.DeploymentDao;
import io.miaobu.server.deploy.DeployService;
import io.miaobu.server.deploy.SiteUrls;
import io.miaobu.server.project.Project;
import io.miaobu.server.project.ProjectDao;
import io.miaobu.server.source.ProjectSources;
import io.miaobu.server.web.UserFacingException;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Previews: a pull request's or a branch's own site next to the project's, built in the {@code preview} environment
 * and served at {@code <label>--<slug>.<sites domain>}. The webhook handling asks for them ({@link #deployPullRequest},
 * {@link #deployBranch}, {@link #closePullRequest}, {@link #removeBranch}), users through the API and pages, and the
 * {@link PreviewSweep} removes those whose pull request or branch is gone.
 *
 * <p>Thread-safe. Requests for one project are serialised by locking the project's row, so two deliveries of one push
 * cannot both make a preview.
 */
public final class Previews {

    private static final Logger LOG = LoggerFactory.getLogger(Previews.class);
    static final String PREVIEW_ENVIRONMENT = "preview";

    private final Jdbi jdbi;
    private final PreviewDao previews;
    private final DeploymentDao deployments;
    private final ProjectDao projects;
    private final BuildService builds;
    private final DeployService deploys;
    private final ProjectSources sources;
    private final SiteUrls siteUrls;
    private final AuditLog audit;
    private final Clock clock;

    public Previews(Jdbi jdbi, BuildService builds, DeployService deploys, ProjectSources sources, SiteUrls siteUrls,
                    AuditLog audit, Clock clock) {
        this.jdbi = jdbi;
        this.previews = jdbi.onDemand(PreviewDao.class);
        this.deployments = jdbi.onDemand(DeploymentDao.class);
        this.projects = jdbi.onDemand(ProjectDao.class);
        this.builds = builds;
        this.deploys = deploys;
        this.sources = sources;
        this.siteUrls = siteUrls;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * Queues a preview deployment of a pull request's head commit (opened, synchronised, reopened). A build of a fork's
     * pull request gets no secrets.
     */
    public PreviewRequest deployPullRequest(Project project, int number, String headBranch, String headSha,
                                            boolean fromFork, String trigger) {
        PreviewSettings settings = settingsOf(project.id());
        if (!settings.pullRequestPreviews()) {
            return PreviewRequest.ignored(null, PreviewRequest.PULL_REQUEST_PREVIEWS_OFF);
        }
        if (fromFork && !settings.forkPreviews()) {
            return PreviewRequest.ignored(null, PreviewRequest.FORKS_NOT_ALLOWED);
        }
        if (number < 1) {
            throw new IllegalArgumentException("pull request " + number);
        }
        return request(project, new Head(Preview.Kind.PULL_REQUEST, headBranch, number, requireSha(headSha),
                fromFork), trigger, null);
    }

    /** Queues a preview deployment of a branch's new tip (a push to a branch that is not the production one). */
    public PreviewRequest deployBranch(Project project, String branch, String headSha, String trigger) {
        if (!settingsOf(project.id()).branchPreviews()) {
            return PreviewRequest.ignored(null, PreviewRequest.BRANCH_PREVIEWS_OFF);
        }
        return request(project, new Head(Preview.Kind.BRANCH, branch, null, requireSha(headSha), false), trigger,
                null);
    }

    /**
     * Queues a preview of a branch's tip for a user, whatever the project's automatic branch previews setting says: the
     * tip is resolved through the project's source provider.
     *
     * @throws UserFacingException when the branch cannot be resolved (422/502), or its tip is deployed already (409)
     */
    public PreviewRequest deployBranchFor(Project project, String branch, User user) {
        if (branch == null || branch.isBlank() || branch.length() > 255 || branch.chars().anyMatch(c -> c < 0x20)) {
            throw UserFacingException.invalid("branch", "Name the branch to preview.");
        }
        SourceProvider provider = sources.providerOf(project).orElseThrow(() -> UserFacingException.conflict(
                "The source plugin '" + project.sourceProvider() + "' is not running. An admin can check the plugins"
                        + " page."));
        String sha;
        try {
            sha = provider.resolveBranch(sources.repositoryOf(project, provider, branch.strip()));
        } catch (ExtensionException e) {
            throw new UserFacingException(422, "branch_not_resolved", e.getMessage(), "branch");
        }
        PreviewRequest request = request(project, new Head(Preview.Kind.BRANCH, branch.strip(), null,
                requireSha(sha), false), "manual", user == null ? null : user.id());
        if (!request.isQueued()) {
            throw UserFacingException.conflict("The tip of " + branch.strip() + " (" + sha.substring(0, 7)
                    + ") is deployed or queued for its preview already.");
        }
        return request;
    }

    /** Removes a pull request's preview (closed or merged); empty when it had none. */
    public Optional<Preview> closePullRequest(Project project, int number) {
        Optional<Preview> preview = previews.findByLabel(project.id(), Integer.toString(number))
                .filter(p -> p.kind() == Preview.Kind.PULL_REQUEST);
        preview.ifPresent(p -> remove(project, p, "Pull request #" + number + " was closed."));
        return preview;
    }

    /** Removes a branch's preview (the branch was deleted); empty when it had none. */
    public Optional<Preview> removeBranch(Project project, String branch) {
        Optional<Preview> preview = previews.findBranch(project.id(), branch);
        preview.ifPresent(p -> remove(project, p, "Branch " + branch + " was deleted."));
        return preview;
    }

    /**
     * Removes a preview: cancels its builds, stops serving it, deletes it. Its deployments then belong to no preview
     * and retention removes them.
     *
     * @return false when it was gone already (or its project is)
     */
    public boolean remove(Preview preview) {
        return projects.findById(preview.projectId()).map(p -> remove(p, preview, "The preview was removed."))
                .orElse(false);
    }

    /** Removes a preview because the sweep found its pull request or branch gone, and says so in the audit log. */
    boolean removeStale(Project project, Preview preview, String why) {
        boolean removed = remove(project, preview, "The preview was removed: " + why);
        if (removed) {
            audit.record(Actor.system(), AuditAction.PREVIEW_REMOVED, "project:" + project.slug(),
                    preview.label() + ": " + why);
        }
        return removed;
    }

    private boolean remove(Project project, Preview preview, String reason) {
        for (Deployment deployment : deployments.listUnfinishedOfPreview(preview.id())) {
            builds.cancelIfActive(deployment.id(), reason);
        }
        // a build past the point of no return finds the preview gone and does not go live (DeployService)
        return deploys.removePreview(project, preview);
    }

    public List<Preview> list(long projectId) {
        return previews.listByProject(projectId);
    }

    public List<Preview> listAll() {
        return previews.listAll();
    }

    /** The project's preview; 404 when it has no such preview. */
    public Preview get(long projectId, long previewId) {
        return previews.findById(previewId).filter(p -> p.projectId() == projectId)
                .orElseThrow(() -> UserFacingException.notFound("No preview " + previewId + "."));
    }

    /** The newest deployment of each preview, by preview id. */
    public Map<Long, Deployment> latestDeployments(List<Preview> of) {
        var latest = new HashMap<Long, Deployment>();
        if (of.isEmpty()) {
            return latest;
        }
        List<Long> ids = of.stream().map(Preview::id).toList();
        jdbi.withHandle(handle -> handle.createQuery("""
                        SELECT d.* FROM deployments d
                        WHERE d.id IN (SELECT max(id) FROM deployments WHERE preview_id IN (<ids>) GROUP BY preview_id)""")
                .bindList("ids", ids)
                .map(org.jdbi.v3.core.mapper.reflect.ConstructorMapper.of(Deployment.class)).list())
                .forEach(d -> latest.put(d.previewId(), d));
        return latest;
    }

    /** The preview's URL on the built-in site server. */
    public String urlOf(Preview preview) {
        Project project = projects.findById(preview.projectId()).orElseThrow(() -> UserFacingException.notFound(
                "No project " + preview.projectId() + "."));
        return urlOf(project, preview);
    }

    public String urlOf(Project project, Preview preview) {
        return siteUrls.ofPreview(preview.label(), project.slug());
    }

    public PreviewSettings settingsOf(long projectId) {
        return previews.settingsOf(projectId).orElseThrow(() -> UserFacingException.notFound("No project "
                + projectId + "."));
    }

    /** Saves the settings given; a {@code null} one stays as it is. */
    public PreviewSettings saveSettings(long projectId, PreviewSettings changes) {
        PreviewSettings current = settingsOf(projectId);
        previews.saveSettings(projectId,
                Objects.requireNonNullElse(changes.pullRequestPreviews(), current.pullRequestPreviews()),
                Objects.requireNonNullElse(changes.branchPreviews(), current.branchPreviews()),
                Objects.requireNonNullElse(changes.forkPreviews(), current.forkPreviews()));
        return settingsOf(projectId);
    }

    /** What a preview deployment is asked for. */
    private record Head(Preview.Kind kind, String branch, Integer pullRequest, String sha, boolean fromFork) {
    }

    private PreviewRequest request(Project project, Head head, String trigger, Long userId) {
        Instant now = clock.instant();
        record Prepared(Preview preview, boolean alreadyDeployed) {
        }
        Prepared prepared = jdbi.inTransaction(handle -> {
            // one request per project at a time: the project's row is the lock (as for the build queue's claims)
            if (handle.createQuery("SELECT id FROM projects WHERE id = ? FOR UPDATE").bind(0, project.id())
                    .mapTo(Long.class).findOne().isEmpty()) {
                throw UserFacingException.notFound("No project " + project.id() + ".");
            }
            PreviewDao dao = handle.attach(PreviewDao.class);
            Optional<Preview> existing = head.kind() == Preview.Kind.PULL_REQUEST
                    ? dao.findByLabel(project.id(), Integer.toString(head.pullRequest()))
                    : dao.findBranch(project.id(), head.branch());
            if (existing.isPresent()) {
                Preview preview = existing.get();
                if (alreadyDeployed(handle, preview, head.sha())) {
                    return new Prepared(preview, true);
                }
                dao.updateHead(preview.id(), head.branch(), head.sha(), head.fromFork(), now);
                return new Prepared(dao.findById(preview.id()).orElseThrow(), false);
            }
            String label = head.kind() == Preview.Kind.PULL_REQUEST ? Integer.toString(head.pullRequest())
                    : PreviewLabels.forBranch(head.branch(), project.slug(),
                    candidate -> dao.findByLabel(project.id(), candidate).isPresent());
            long id = dao.insert(project.id(), head.kind(), label, head.branch(), head.pullRequest(), head.sha(),
                    head.fromFork(), now);
            return new Prepared(dao.findById(id).orElseThrow(), false);
        });
        if (prepared.alreadyDeployed()) {
            return PreviewRequest.ignored(prepared.preview(), PreviewRequest.ALREADY_DEPLOYED);
        }
        Preview preview = prepared.preview();
        // the queue cancels the preview's older queued deployments ("Superseded by deployment #…")
        Deployment queued = builds.enqueue(new BuildQueue.NewDeployment(project.id(), trigger, head.branch(),
                head.sha(), project.deployTarget(), userId, PREVIEW_ENVIRONMENT, null, preview.id(), !head.fromFork(),
                head.pullRequest()));
        LOG.info("Preview {} of {} queued deployment {} of {}", preview.label(), project.slug(), queued.id(),
                head.sha());
        return PreviewRequest.queued(preview, queued);
    }

    /** Whether the preview serves this commit, or a deployment of it is queued or running. */
    private static boolean alreadyDeployed(Handle handle, Preview preview, String sha) {
        return handle.createQuery("""
                        SELECT count(*) FROM deployments d
                        WHERE d.preview_id = :preview
                          AND ((d.id = :live AND d.commit_sha = :sha)
                               OR (d.requested_sha = :sha
                                   AND d.status IN ('QUEUED', 'CLONING', 'INSTALLING', 'BUILDING', 'UPLOADING')))""")
                .bind("preview", preview.id()).bind("live", preview.liveDeploymentId() == null ? -1L
                        : preview.liveDeploymentId())
                .bind("sha", sha).mapTo(Long.class).one() > 0;
    }

    private static String requireSha(String sha) {
        if (sha == null || !sha.matches("[0-9a-f]{40}|[0-9a-f]{64}")) {
            throw new IllegalArgumentException("a full commit id, not " + sha);
        }
        return sha;
    }
}
