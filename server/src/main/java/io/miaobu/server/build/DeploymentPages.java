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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.util.Map;
import org.glassfish.jersey.server.ContainerRequest;

/** A deployment's page with its live log, and the rollback and cancel buttons. */
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
    private final PageRenderer pages;
    private final SiteUrls siteUrls;
    private final Clock clock;

    public DeploymentPages(BuildService builds, ProjectService projects, DeployService deploys, BuildLogs logs,
                           PageRenderer pages, SiteUrls siteUrls, Clock clock) {
        this.builds = builds;
        this.projects = projects;
        this.deploys = deploys;
        this.logs = logs;
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
        row.put("timeline", builds.timeline(id).stream().map(c -> Map.of("status", c.status().name(),
                "at", Formats.dateTime(c.changedAt()), "atIso", Formats.iso(c.changedAt()))).toList());
        LogSnapshot log = logSnapshot(id);
        return pages.render(request, "deployment", Map.of(
                "can", io.miaobu.server.project.ProjectPages.abilitiesOf(request),
                "project", Map.of("id", project.id(), "name", project.name(), "slug", project.slug(),
                        "siteUrl", siteUrls.of(project.slug())),
                "deployment", row,
                "log", log.text(),
                // the stream continues after the lines already on the page, so nothing is shown twice
                "streamUrl", "/api/v1/deployments/" + id + "/events?after=" + log.lines()));
    }

    @POST
    @Audited(AuditAction.DEPLOY_ACTIVATED)
    @Allow(Permission.PROJECT_DEPLOY)
    @Path("{deploymentId}/activate")
    public Response activate(@PathParam("deploymentId") long id) {
        try {
            Deployment deployment = deploys.rollback(id, DeploymentsApi.DISCARD);
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

    /**
     * The complete lines of the log so far (at most the last {@link #LOG_TAIL_BYTES}), and how many lines the log has
     * up to there. A line being written at this moment is left to the stream.
     */
    private LogSnapshot logSnapshot(long id) {
        var file = logs.fileOf(id);
        if (!Files.exists(file)) {
            return new LogSnapshot("", 0);
        }
        // one pass in fixed-size chunks, so a huge log costs no more memory than the tail the page shows
        try (var channel = java.nio.channels.FileChannel.open(file)) {
            var buffer = java.nio.ByteBuffer.allocate(64 * 1024);
            long lines = 0;
            long completeEnd = 0;
            long position = 0;
            while (channel.read(buffer) > 0) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    position++;
                    if (buffer.get() == '\n') {
                        lines++;
                        completeEnd = position;
                    }
                }
                buffer.clear();
            }
            long start = Math.max(0, completeEnd - LOG_TAIL_BYTES);
            byte[] tail = new byte[(int) (completeEnd - start)];
            channel.read(java.nio.ByteBuffer.wrap(tail), start);
            int from = 0;
            String prefix = "";
            if (start > 0) {
                while (from < tail.length && tail[from] != '\n') {
                    from++;
                }
                from++;
                prefix = "… (earlier lines are in the full log: /api/v1/deployments/" + id + "/log)\n";
            }
            return new LogSnapshot(prefix + new String(tail, Math.min(from, tail.length),
                    tail.length - Math.min(from, tail.length), StandardCharsets.UTF_8), lines);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record LogSnapshot(String text, long lines) {
    }
}
