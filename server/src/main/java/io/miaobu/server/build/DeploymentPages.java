package io.miaobu.server.build;

import io.miaobu.server.audit.AuditAction;
import io.miaobu.server.audit.Audited;
import io.miaobu.server.auth.AccessFilter;
import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.deploy.DeployService;
import io.miaobu.server.deploy.SiteUrls;
import io.miaobu.server.project.Project;
import io.miaobu.server.project.ProjectService;
import io.miaobu.server.retention.RetentionService;
import io.miaobu.server.web.Formats;
import io.miaobu.server.web.PageRenderer;
import io.miaobu.server.web.UserFacingException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.glassfish.jersey.server.ContainerRequest;

/** A deployment's page with its live log, and the rollback, cancel and pin buttons. */
@Path("deployments")
@Produces(MediaType.TEXT_HTML)
@Allow(Permission.PROJECT_VIEW)
public final class DeploymentPages {

    /** The page embeds at most this much of the log; the rest streams or is downloaded from the API. */
    private static final int LOG_TAIL_BYTES = 512 * 1024;

    private final BuildService builds;
    private final ProjectService projects;
    private final DeployService deploys;
    private final BuildLogs logs;
    private final RetentionService retention;
    private final PageRenderer pages;
    private final SiteUrls siteUrls;
    private final Clock clock;

    public DeploymentPages(BuildService builds, ProjectService projects, DeployService deploys, BuildLogs logs,
                           RetentionService retention, PageRenderer pages, SiteUrls siteUrls, Clock clock) {
        this.builds = builds;
        this.projects = projects;
        this.deploys = deploys;
        this.logs = logs;
        this.retention = retention;
        this.pages = pages;
        this.siteUrls = siteUrls;
        this.clock = clock;
    }

    @GET
    @Path("{deploymentId}")
    public Response deployment(@PathParam("deploymentId") long id, @Context ContainerRequest request) {
        Deployment deployment = builds.get(id);
        Project project = projects.get(deployment.projectId());
        Map<String, Object> row = DeploymentRows.of(deployment, project.liveDeploymentId(), clock.instant());
        List<StatusChange> changes = builds.timeline(id);
        row.put("stages", DeploymentStages.of(changes, deployment.status(), deployment.finishedAt(), clock.instant()));
        row.put("timeline", changes.stream().map(c -> Map.of("status", c.status().name(),
                "at", Formats.dateTime(c.changedAt()), "atIso", Formats.iso(c.changedAt()))).toList());
        DeploymentView.UploadProgress upload = DeploymentView.UploadProgress.of(deployment);
        if (upload != null) {
            var progress = new java.util.HashMap<String, Object>();
            progress.put("running", upload.running());
            progress.put("filesDone", upload.filesDone());
            progress.put("filesTotal", upload.filesTotal());
            progress.put("bytesDone", upload.bytesDone());
            progress.put("bytesTotal", upload.bytesTotal());
            progress.put("bytesDoneText", Formats.bytes(upload.bytesDone()));
            progress.put("bytesTotalText", Formats.bytes(upload.bytesTotal()));
            progress.put("bytesUploadedText", upload.bytesUploaded() == null ? ""
                    : Formats.bytes(upload.bytesUploaded()));
            row.put("upload", progress);
        }
        LogSnapshot log = logSnapshot(id);
        return pages.render(request, "deployment", Map.of(
                "can", io.miaobu.server.project.ProjectPages.abilitiesOf(request),
                "project", Map.of("id", project.id(), "name", project.name(), "slug", project.slug(),
                        "siteUrl", siteUrls.of(project.slug())),
                "deployment", row,
                "log", log.text(),
                // the stream continues after the lines already on the page, so nothing is shown twice
                "streamUrl", "/api/v1/deployments/" + id + "/events?after=" + log.lines(),
                "progressUrl", "/api/v1/deployments/" + id));
    }

    @POST
    @Audited(AuditAction.DEPLOY_ACTIVATED)
    @Allow(Permission.PROJECT_DEPLOY)
    @Path("{deploymentId}/activate")
    public Response activate(@PathParam("deploymentId") long id, @Context ContainerRequest request) {
        try {
            Deployment deployment = deploys.rollback(id, DeploymentsApi.DISCARD,
                    AccessFilter.currentUser(request).username());
            return pages.redirect("/projects/" + deployment.projectId(), "Deployment " + id + " is live.");
        } catch (UserFacingException e) {
            if (e.status() == 404) {
                throw e;
            }
            return pages.redirect("/deployments/" + id, e.getMessage());
        }
    }

    @POST
    @Audited(AuditAction.DEPLOY_CANCELLED)
    @Allow(Permission.PROJECT_DEPLOY)
    @Path("{deploymentId}/cancel")
    public Response cancel(@PathParam("deploymentId") long id, @Context ContainerRequest request) {
        try {
            builds.cancel(id, AccessFilter.currentUser(request));
            return pages.redirect("/deployments/" + id, "Cancelling deployment " + id + ".");
        } catch (UserFacingException e) {
            if (e.status() == 404) {
                throw e;
            }
            return pages.redirect("/deployments/" + id, e.getMessage());
        }
    }

    @POST
    @Audited(AuditAction.DEPLOY_PINNED)
    @Allow(Permission.PROJECT_DEPLOY)
    @Path("{deploymentId}/pin")
    public Response pin(@PathParam("deploymentId") long id) {
        try {
            retention.pin(id);
            return pages.redirect("/deployments/" + id, "Deployment " + id + " is pinned: retention keeps it.");
        } catch (UserFacingException e) {
            if (e.status() == 404) {
                throw e;
            }
            return pages.redirect("/deployments/" + id, e.getMessage());
        }
    }

    @POST
    @Audited(AuditAction.DEPLOY_UNPINNED)
    @Allow(Permission.PROJECT_DEPLOY)
    @Path("{deploymentId}/unpin")
    public Response unpin(@PathParam("deploymentId") long id) {
        retention.unpin(id);
        return pages.redirect("/deployments/" + id, "Deployment " + id + " is no longer pinned.");
    }

    /**
     * The complete lines of the log so far (at most the last {@link #LOG_TAIL_BYTES}), and how many lines the log has
     * up to there. A line being written at this moment is left to the stream.
     */
    private LogSnapshot logSnapshot(long id) {
        BuildLogs.Tail tail = logs.tail(id, LOG_TAIL_BYTES);
        String prefix = tail.truncated()
                ? "… (earlier lines are in the full log: /api/v1/deployments/" + id + "/log)\n" : "";
        return new LogSnapshot(prefix + tail.text(), tail.lines());
    }

    private record LogSnapshot(String text, long lines) {
    }
}
