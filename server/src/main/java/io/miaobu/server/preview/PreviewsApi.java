package io.miaobu.server.preview;

import io.miaobu.server.audit.AuditAction;
import io.miaobu.server.audit.Audited;
import io.miaobu.server.auth.AccessFilter;
import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.build.Deployment;
import io.miaobu.server.build.DeploymentView;
import io.miaobu.server.project.Project;
import io.miaobu.server.project.ProjectService;
import io.miaobu.server.ratelimit.RateLimited;
import io.miaobu.server.web.Listing;
import io.miaobu.server.web.UserFacingException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Instant;
import java.util.Map;
import org.glassfish.jersey.server.ContainerRequest;

/** A project's previews in the API; the settings are {@link PreviewSettingsApi}'s. */
@Path("api/v1/projects/{projectId}/previews")
@Produces(MediaType.APPLICATION_JSON)
public final class PreviewsApi {

    private final Previews previews;
    private final ProjectService projects;

    public PreviewsApi(Previews previews, ProjectService projects) {
        this.previews = previews;
        this.projects = projects;
    }

    @GET
    @Allow(Permission.PROJECT_VIEW)
    public Listing<PreviewView> list(@PathParam("projectId") long projectId) {
        Project project = projects.get(projectId);
        var all = previews.list(projectId);
        Map<Long, Deployment> latest = previews.latestDeployments(all);
        return new Listing<>(all.stream().map(p -> view(project, p, latest.get(p.id()))).toList(), false);
    }

    /** Deploys a branch's tip as a preview: {@code {"branch": "feature-x"}}. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Audited(AuditAction.DEPLOY_TRIGGERED)
    @Allow(Permission.PROJECT_DEPLOY)
    @RateLimited("deploy")
    public Response create(@PathParam("projectId") long projectId, BranchRequest body,
                           @Context ContainerRequest request) {
        Project project = projects.get(projectId);
        if (body == null) {
            throw UserFacingException.invalid("branch", "Send {\"branch\": \"…\"}.");
        }
        PreviewRequest queued = previews.deployBranchFor(project, body.branch(), AccessFilter.currentUser(request));
        return Response.created(URI.create("/api/v1/projects/" + projectId + "/previews/" + queued.preview().id()))
                .entity(view(project, queued.preview(), queued.deployment())).build();
    }

    @GET
    @Path("{previewId}")
    @Allow(Permission.PROJECT_VIEW)
    public PreviewView get(@PathParam("projectId") long projectId, @PathParam("previewId") long previewId) {
        Project project = projects.get(projectId);
        Preview preview = previews.get(projectId, previewId);
        return view(project, preview, previews.latestDeployments(java.util.List.of(preview)).get(preview.id()));
    }

    /** Removes a preview: its builds are cancelled and it is no longer served. */
    @DELETE
    @Path("{previewId}")
    @Audited(AuditAction.PREVIEW_REMOVED)
    @Allow(Permission.PROJECT_DEPLOY)
    public Response delete(@PathParam("projectId") long projectId, @PathParam("previewId") long previewId) {
        projects.get(projectId);
        previews.remove(previews.get(projectId, previewId));
        return Response.noContent().build();
    }

    private PreviewView view(Project project, Preview preview, Deployment latest) {
        return new PreviewView(preview.id(), preview.kind().name().toLowerCase(java.util.Locale.ROOT),
                preview.label(), preview.branch(), preview.pullRequest(), preview.headSha(), preview.fromFork(),
                previews.urlOf(project, preview), preview.liveDeploymentId(),
                latest == null ? null : DeploymentView.of(latest, preview.liveDeploymentId(), null), preview.createdAt(), preview.updatedAt());
    }

    public record BranchRequest(String branch) {
    }

    /**
     * A preview as the API shows it.
     *
     * @param url              where it is served (once its first deployment is live)
     * @param latestDeployment its newest deployment, or {@code null}
     */
    public record PreviewView(long id, String kind, String label, String branch, Integer pullRequest,
                              String headSha, boolean fromFork, String url, Long liveDeploymentId,
                              DeploymentView latestDeployment, Instant createdAt, Instant updatedAt) {
    }
}
