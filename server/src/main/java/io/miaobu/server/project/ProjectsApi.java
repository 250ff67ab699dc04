package io.miaobu.server.project;

import io.miaobu.server.auth.AccessFilter;
import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Audience;
import io.miaobu.server.build.BuildService;
import io.miaobu.server.build.Deployment;
import io.miaobu.server.build.DeploymentView;
import io.miaobu.server.deploy.SiteUrls;
import io.miaobu.server.project.Project;
import io.miaobu.server.project.ProjectForm;
import io.miaobu.server.project.ProjectService;
import io.miaobu.server.project.ProjectView;
import io.miaobu.server.web.Listing;
import io.miaobu.server.web.UserFacingException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
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
@Allow(Audience.SIGNED_IN)
public final class ProjectsApi {

    private final ProjectService projects;
    private final ProjectRemover remover;
    private final BuildService builds;
    private final SiteUrls siteUrls;

    public ProjectsApi(ProjectService projects, ProjectRemover remover, BuildService builds, SiteUrls siteUrls) {
        this.projects = projects;
        this.remover = remover;
        this.builds = builds;
        this.siteUrls = siteUrls;
    }

    @GET
    public Listing<ProjectView> list() {
        return new Listing<>(projects.list().stream().map(this::view).toList(), false);
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(ProjectForm form, @Context ContainerRequest request) {
        if (form == null) {
            throw UserFacingException.invalid(null, "Send the project as a JSON object.");
        }
        Project project = projects.create(form, AccessFilter.currentUser(request));
        return Response.created(URI.create("/api/v1/projects/" + project.id())).entity(view(project)).build();
    }

    @GET
    @Path("{id}")
    public ProjectView get(@PathParam("id") long id) {
        return view(projects.get(id));
    }

    @PATCH
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    public ProjectView update(@PathParam("id") long id, ProjectForm form) {
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
    @Path("{id}")
    public Response delete(@PathParam("id") long id, @QueryParam("confirm") String confirmSlug,
                           @Context ContainerRequest request) {
        remover.delete(id, confirmSlug, AccessFilter.currentUser(request));
        return Response.noContent().build();
    }

    @POST
    @Path("{id}/deployments")
    public Response deploy(@PathParam("id") long id, DeployRequest body, @Context ContainerRequest request) {
        Project project = projects.get(id);
        Deployment deployment = builds.enqueue(project, AccessFilter.currentUser(request), "manual",
                body == null ? null : body.commitSha());
        return Response.created(URI.create("/api/v1/deployments/" + deployment.id()))
                .entity(DeploymentView.of(deployment, project.liveDeploymentId(), null))
                .build();
    }

    @GET
    @Path("{id}/deployments")
    public Listing<DeploymentView> deployments(@PathParam("id") long id,
                                            @QueryParam("limit") @DefaultValue("20") int limit) {
        if (limit < 1 || limit > 100) {
            throw UserFacingException.invalid("limit", "limit is between 1 and 100.");
        }
        Project project = projects.get(id);
        List<Deployment> found = builds.listForProject(id, limit + 1);
        return new Listing<>(found.stream().limit(limit)
                .map(d -> DeploymentView.of(d, project.liveDeploymentId(), null)).toList(), found.size() > limit);
    }

    private ProjectView view(Project project) {
        return ProjectView.of(project, siteUrls.of(project.slug()));
    }

    /** @param commitSha the exact commit to deploy; the branch tip when absent */
    public record DeployRequest(String commitSha) {
    }
}
