package io.miaobu.server.project;

import io.miaobu.server.audit.AuditAction;
import io.miaobu.server.audit.Audited;
import io.miaobu.server.auth.AccessFilter;
import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.build.BuildLimits;
import io.miaobu.server.build.BuildService;
import io.miaobu.server.build.cache.DependencyCache;
import io.miaobu.server.build.Deployment;
import io.miaobu.server.build.DeploymentView;
import io.miaobu.server.deploy.SiteUrls;
import io.miaobu.server.project.Project;
import io.miaobu.server.project.ProjectForm;
import io.miaobu.server.project.ProjectService;
import io.miaobu.server.project.ProjectView;
import io.miaobu.server.ratelimit.RateLimited;
import io.miaobu.server.web.Listing;
import io.miaobu.server.web.UserFacingException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import org.glassfish.jersey.server.ContainerRequest;

@Path("api/v1/projects")
@Produces(MediaType.APPLICATION_JSON)
@Allow(Permission.SIGNED_IN)
public final class ProjectsApi {

    private final ProjectService projects;
    private final ProjectRemover remover;
    private final BuildService builds;
    private final SiteUrls siteUrls;
    private final BuildLimits.Store limits;
    private final DependencyCache dependencyCache;

    public ProjectsApi(ProjectService projects, ProjectRemover remover, BuildService builds, BuildLimits.Store limits,
                       DependencyCache dependencyCache, SiteUrls siteUrls) {
        this.limits = limits;
        this.dependencyCache = dependencyCache;
        this.projects = projects;
        this.remover = remover;
        this.builds = builds;
        this.siteUrls = siteUrls;
    }

    @GET
    public Listing<ProjectView> list(@Context ContainerRequest request) {
        return new Listing<>(projects.listVisibleTo(AccessFilter.currentUser(request)).stream().map(this::view)
                .toList(), false);
    }

    @POST
    @Audited(AuditAction.PROJECT_CREATED)
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(ProjectForm form, @Context ContainerRequest request) {
        if (form == null) {
            throw UserFacingException.invalid(null, "Send the project as a JSON object.");
        }
        Project project = projects.create(form, AccessFilter.currentUser(request));
        return Response.created(URI.create("/api/v1/projects/" + project.id())).entity(view(project)).build();
    }

    @GET
    @Path("{projectId}")
    @Allow(Permission.PROJECT_VIEW)
    public ProjectView get(@PathParam("projectId") long id) {
        return view(projects.get(id));
    }

    @PATCH
    @Path("{projectId}")
    @Audited(AuditAction.SETTINGS_CHANGED)
    @Allow(Permission.PROJECT_CONFIGURE)
    @Consumes(MediaType.APPLICATION_JSON)
    public ProjectView update(@PathParam("projectId") long id, ProjectForm form) {
        if (form == null) {
            throw UserFacingException.invalid(null, "Send the changes as a JSON object.");
        }
        if (form.repositoryUrl() != null) {
            throw UserFacingException.invalid("repositoryUrl", "The repository of a project cannot be changed;"
                    + " create a new project instead.");
        }
        return view(projects.update(id, form));
    }

    /** Deletes the project with its site and deployments; {@code ?confirm=<slug>} guards against mistakes. */
    @DELETE
    @Path("{projectId}")
    @Audited(AuditAction.PROJECT_DELETED)
    @Allow(Permission.PROJECT_OWN)
    public Response delete(@PathParam("projectId") long id, @QueryParam("confirm") String confirmSlug,
                           @Context ContainerRequest request) {
        remover.delete(id, confirmSlug, AccessFilter.currentUser(request));
        return Response.noContent().build();
    }

    @POST
    @Path("{projectId}/deployments")
    @Audited(AuditAction.DEPLOY_TRIGGERED)
    @Allow(Permission.PROJECT_DEPLOY)
    @RateLimited("deploy")
    public Response deploy(@PathParam("projectId") long id, DeployRequest body, @Context ContainerRequest request) {
        Project project = projects.get(id);
        Deployment deployment = builds.enqueue(project, AccessFilter.currentUser(request), "manual",
                body == null ? null : body.commitSha());
        return Response.created(URI.create("/api/v1/deployments/" + deployment.id()))
                .entity(DeploymentView.of(deployment, project.liveDeploymentId(), null))
                .build();
    }

    @GET
    @Path("{projectId}/deployments")
    @Allow(Permission.PROJECT_VIEW)
    public Listing<DeploymentView> deployments(@PathParam("projectId") long id,
                                            @QueryParam("limit") @DefaultValue("20") int limit) {
        if (limit < 1 || limit > 100) {
            throw UserFacingException.invalid("limit", "limit is between 1 and 100.");
        }
        Project project = projects.get(id);
        List<Deployment> found = builds.listForProject(id, limit + 1);
        return new Listing<>(found.stream().limit(limit)
                .map(d -> DeploymentView.of(d, project.liveDeploymentId(), null)).toList(), found.size() > limit);
    }

    /** Cancels every queued deployment of the project (running ones are cancelled one by one). */
    @DELETE
    @Path("{projectId}/queue")
    @Allow(Permission.PROJECT_DEPLOY)
    @Audited(AuditAction.QUEUE_CLEARED)
    public QueueCleared clearQueue(@PathParam("projectId") long id, @Context ContainerRequest request) {
        return new QueueCleared(builds.clearQueue(id, AccessFilter.currentUser(request)));
    }

    @GET
    @Path("{projectId}/build-limits")
    @Allow(Permission.PROJECT_VIEW)
    public BuildLimits buildLimits(@PathParam("projectId") long id) {
        return limits.get(id);
    }

    /** Replaces the build limits; stage time limits left out (null) use the server's defaults. */
    @PUT
    @Path("{projectId}/build-limits")
    @Consumes(MediaType.APPLICATION_JSON)
    @Allow(Permission.PROJECT_CONFIGURE)
    @Audited(AuditAction.SETTINGS_CHANGED)
    public BuildLimits updateBuildLimits(@PathParam("projectId") long id, BuildLimits body) {
        if (body == null) {
            throw UserFacingException.invalid(null, "Send the build limits as a JSON object.");
        }
        return limits.update(id, body);
    }

    /** Empties the project's dependency cache: its next build installs from scratch. */
    @DELETE
    @Path("{projectId}/dependency-cache")
    @Allow(Permission.PROJECT_CONFIGURE)
    @Audited(AuditAction.SETTINGS_CHANGED)
    public DependencyCacheCleared clearDependencyCache(@PathParam("projectId") long id) {
        var cleared = dependencyCache.clear(id);
        return new DependencyCacheCleared(cleared.entries(), cleared.bytes());
    }

    /** @param entries how many cache entries were removed, {@code bytes} their size */
    public record DependencyCacheCleared(int entries, long bytes) {
    }

    /** @param cancelled how many queued deployments were cancelled */
    public record QueueCleared(int cancelled) {
    }

    private ProjectView view(Project project) {
        return ProjectView.of(project, siteUrls.of(project.slug()));
    }

    /** @param commitSha the exact commit to deploy; the branch tip when absent */
    public record DeployRequest(String commitSha) {
    }
}
