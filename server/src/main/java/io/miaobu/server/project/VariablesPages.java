package io.miaobu.server.project;

import io.miaobu.server.auth.AccessFilter;
import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.auth.ProjectRole;
import io.miaobu.server.deploy.SiteUrls;
import io.miaobu.server.web.Formats;
import io.miaobu.server.web.PageRenderer;
import io.miaobu.server.web.UserFacingException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.HashMap;
import java.util.Map;
import org.glassfish.jersey.server.ContainerRequest;

/** A project's environment variables page. Secret values go in and never come out. */
@Path("")
public final class VariablesPages {

    private final ProjectVariables variables;
    private final ProjectService projects;
    private final PageRenderer pages;
    private final SiteUrls siteUrls;

    public VariablesPages(ProjectVariables variables, ProjectService projects, PageRenderer pages,
                             SiteUrls siteUrls) {
        this.variables = variables;
        this.projects = projects;
        this.pages = pages;
        this.siteUrls = siteUrls;
    }

    @GET
    @Path("projects/{projectId}/variables")
    @Produces(MediaType.TEXT_HTML)
    @Allow(Permission.PROJECT_VIEW)
    public Response page(@PathParam("projectId") long projectId, @Context ContainerRequest request) {
        return page(request, projectId, Map.of(), Map.of("name", "", "environment", "production", "secret", false),
                200);
    }

    @POST
    @Path("projects/{projectId}/variables")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    @Allow(Permission.PROJECT_CONFIGURE)
    public Response set(@PathParam("projectId") long projectId, @FormParam("name") String name,
                        @FormParam("environment") String environment, @FormParam("value") String value,
                        @FormParam("secret") String secret, @Context ContainerRequest request) {
        boolean isSecret = secret != null;
        try {
            var variable = variables.set(projectId, projects.get(projectId).slug(), name, environment,
                    value == null ? "" : value, isSecret, AccessFilter.actor(request));
            return pages.redirect("/projects/" + projectId + "/variables", "Saved " + variable.name() + ".");
        } catch (UserFacingException e) {
            if (e.status() == 404) {
                throw e;
            }
            return page(request, projectId, PageRenderer.errorsOf(e), Map.of("name", name == null ? "" : name,
                    "environment", environment == null ? "production" : environment, "secret", isSecret), e.status());
        }
    }

    @POST
    @Path("projects/{projectId}/variables/delete")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    @Allow(Permission.PROJECT_CONFIGURE)
    public Response deleteByForm(@PathParam("projectId") long projectId, @FormParam("name") String name,
                                 @FormParam("environment") String environment, @Context ContainerRequest request) {
        variables.delete(projectId, projects.get(projectId).slug(), name, environment, AccessFilter.actor(request));
        return pages.redirect("/projects/" + projectId + "/variables", "Deleted " + name + ".");
    }

    private Response page(ContainerRequest request, long projectId, Map<String, String> errors,
                          Map<String, Object> form, int status) {
        Project project = projects.get(projectId);
        var rows = variables.list(projectId).stream().map(v -> {
            var row = new HashMap<String, Object>();
            row.put("name", v.name());
            row.put("environment", v.environment());
            row.put("secret", v.secret());
            row.put("value", v.value());
            row.put("updatedAt", Formats.dateTime(v.updatedAt()));
            return row;
        }).toList();
        ProjectRole role = AccessFilter.projectRole(request);
        return pages.render(request, "project-variables", Map.of(
                "project", ProjectPages.summaryOf(project, siteUrls),
                "variables", rows,
                "canEdit", role != null && role.atLeast(Permission.PROJECT_CONFIGURE.minimumRole()),
                "environments", ProjectVariables.ENVIRONMENTS,
                "errors", errors,
                "form", form), status);
    }
}
