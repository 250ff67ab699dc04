package io.miaobu.server.source;

import io.miaobu.api.source.CommitStatus;
import io.miaobu.api.source.PreviewComment;
import io.miaobu.api.source.SourceProvider;
import io.miaobu.api.source.SourceRepository;
import io.miaobu.server.boot.Managed;
import io.miaobu.server.boot.PeriodicTask;
import io.miaobu.server.build.Deployment;
import io.miaobu.server.build.DeploymentDao;
import io.miaobu.server.deploy.SiteUrls;
import io.miaobu.server.preview.Preview;
import io.miaobu.server.preview.PreviewDao;
import io.miaobu.server.project.Project;
import io.miaobu.server.project.ProjectDao;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports deployments back to their source host as commit statuses, and for pull requests as the one preview comment.
 *
 * <p>An outbox like {@code NotificationOutbox}: the build system writes its status changes in the transactions that
 * make them; this claims committed changes not yet reported ({@code source_reported}), marking them reported in the
 * same transaction ({@code FOR UPDATE}, so nodes sharing a database never claim one twice), and then calls the
 * plugins, outside that transaction. A report is tried once: a source host that is down misses it, and nothing about
 * the deployment changes. When a batch holds several changes of one deployment, only the last is reported.
 *
 * <p>Statuses: queued → pending "Queued", cloning → pending "Building", live → success with the site's (or the
 * preview's) URL, failed → failure with the deployment page and the error's first line, cancelled → error. The
 * context is {@code miaobu/<slug>}, or {@code miaobu/<slug>/preview} for previews.
 */
public final class CommitStatusReporter implements Managed {

    private static final Logger LOG = LoggerFactory.getLogger(CommitStatusReporter.class);
    private static final int BATCH = 200;
    private static final int DESCRIPTION_MAX = 140;
    private static final Set<String> REPORTED = Set.of("QUEUED", "CLONING", "LIVE", "FAILED", "CANCELLED");

    private final Jdbi jdbi;
    private final DeploymentDao deployments;
    private final ProjectDao projects;
    private final PreviewDao previews;
    private final ProjectSources sources;
    private final SiteUrls siteUrls;
    private final URI publicUrl;
    private final PeriodicTask schedule;

    /**
     * @param publicUrl    Miaobu's own URL, for links to deployment pages and the comment's marker
     * @param pollInterval how often committed changes are looked for
     */
    public CommitStatusReporter(Jdbi jdbi, ProjectSources sources, SiteUrls siteUrls, URI publicUrl,
                                Duration pollInterval) {
        this.jdbi = jdbi;
        this.deployments = jdbi.onDemand(DeploymentDao.class);
        this.projects = jdbi.onDemand(ProjectDao.class);
        this.previews = jdbi.onDemand(PreviewDao.class);
        this.sources = sources;
        this.siteUrls = siteUrls;
        this.publicUrl = publicUrl;
        this.schedule = new PeriodicTask("commit-status", pollInterval, this::reportAllPending);
    }

    @Override
    public void start() {
        schedule.start();
    }

    @Override
    public void stop() throws InterruptedException {
        schedule.stop();
    }

    /** Reports batch after batch while full ones come back: more are waiting. */
    private void reportAllPending() {
        while (reportPending() == BATCH) {
            LOG.debug("A full batch of commit statuses was reported; reporting the next");
        }
    }

    /**
     * Claims up to one batch of committed, unreported status changes and reports them, on the calling thread.
     *
     * @return how many changes were claimed
     */
    public int reportPending() {
        record Change(long id, long deploymentId, String status) {
        }
        List<Change> claimed = jdbi.inTransaction(handle -> {
            List<Change> changes = handle.createQuery("""
                            SELECT id, deployment_id, status FROM deployment_status_changes
                            WHERE source_reported = FALSE ORDER BY id LIMIT :limit FOR UPDATE""")
                    .bind("limit", BATCH)
                    .map((rs, ctx) -> new Change(rs.getLong(1), rs.getLong(2), rs.getString(3)))
                    .list();
            if (!changes.isEmpty()) {
                handle.createUpdate("UPDATE deployment_status_changes SET source_reported = TRUE WHERE id IN (<ids>)")
                        .bindList("ids", changes.stream().map(Change::id).toList()).execute();
            }
            return changes;
        });
        // the last reportable change of each deployment in the batch; earlier ones are out of date already
        var latest = new LinkedHashMap<Long, String>();
        for (Change change : claimed) {
            if (REPORTED.contains(change.status())) {
                latest.remove(change.deploymentId());
                latest.put(change.deploymentId(), change.status());
            }
        }
        var projectCache = new java.util.HashMap<Long, Optional<Project>>();
        for (Map.Entry<Long, String> entry : latest.entrySet()) {
            try {
                deployments.findById(entry.getKey()).ifPresent(deployment -> report(deployment, entry.getValue(),
                        projectCache.computeIfAbsent(deployment.projectId(), projects::findById).orElse(null)));
            } catch (RuntimeException e) {
                LOG.warn("Could not report deployment {} ({}) to its source host: {}", entry.getKey(),
                        entry.getValue(), e.toString());
            }
        }
        return claimed.size();
    }

    private void report(Deployment deployment, String status, Project project) {
        String sha = deployment.commitSha() != null ? deployment.commitSha() : deployment.requestedSha();
        if (project == null || sha == null) {
            return;
        }
        Optional<SourceProvider> provider = sources.providerOf(project);
        if (provider.isEmpty()) {
            return;
        }
        boolean preview = deployment.isPreview();
        URI logUrl = publicUrl.resolve("deployments/" + deployment.id());
        URI siteUrl = null;
        if (status.equals("LIVE")) {
            siteUrl = preview ? previewUrl(project, deployment).orElse(null) : URI.create(siteUrls.of(project.slug()));
        }
        CommitStatus.State state = switch (status) {
            case "QUEUED", "CLONING" -> CommitStatus.State.PENDING;
            case "LIVE" -> CommitStatus.State.SUCCESS;
            case "FAILED" -> CommitStatus.State.FAILURE;
            default -> CommitStatus.State.ERROR;
        };
        String description = switch (status) {
            case "QUEUED" -> "Queued";
            case "CLONING" -> "Building";
            case "LIVE" -> preview ? "Preview ready" : "Deployed";
            case "FAILED" -> firstLine(deployment.error(), "The build failed.");
            default -> "Cancelled";
        };
        SourceRepository repository = sources.repositoryOf(project, provider.get(), deployment.branch());
        String context = "miaobu/" + project.slug() + (preview ? "/preview" : "");
        try {
            provider.get().reportStatus(new CommitStatus(repository, sha, state,
                    siteUrl != null ? siteUrl : logUrl, description, context));
        } catch (RuntimeException e) {
            LOG.warn("{} did not take the status of deployment {} ({}): {}", provider.get().id(), deployment.id(),
                    status, e.toString());
        }
        if (deployment.pullRequest() != null && Set.of("QUEUED", "LIVE", "FAILED").contains(status)) {
            try {
                provider.get().reportPreview(new PreviewComment(repository, deployment.pullRequest(), sha, state,
                        project.name(), siteUrl, logUrl, markerOf(project)));
            } catch (RuntimeException e) {
                LOG.warn("{} did not take the preview comment of deployment {} ({}): {}", provider.get().id(),
                        deployment.id(), status, e.toString());
            }
        }
    }

    /** Unique to this server and project: the provider finds its earlier comment by it. */
    String markerOf(Project project) {
        String host = publicUrl.getHost() == null ? "" : publicUrl.getHost().toLowerCase(Locale.ROOT);
        return "miaobu:" + host + ":project-" + project.id();
    }

    private Optional<URI> previewUrl(Project project, Deployment deployment) {
        if (deployment.previewId() == null) {
            return Optional.empty();
        }
        return previews.findById(deployment.previewId()).map(Preview::label)
                .map(label -> URI.create(siteUrls.ofPreview(label, project.slug())));
    }

    private static String firstLine(String text, String fallback) {
        if (text == null || text.isBlank()) {
            return fallback;
        }
        String line = text.strip().lines().findFirst().orElse(fallback);
        return line.length() <= DESCRIPTION_MAX ? line : line.substring(0, DESCRIPTION_MAX - 1) + "…";
    }
}
