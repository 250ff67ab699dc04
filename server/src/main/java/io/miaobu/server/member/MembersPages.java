package io.miaobu.server.member;

import io.miaobu.server.auth.AccessFilter;
import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.auth.ProjectRole;
import io.miaobu.server.deploy.SiteUrls;
import io.miaobu.server.project.Project;
import io.miaobu.server.project.ProjectPages;
import io.miaobu.server.project.ProjectService;
import io.miaobu.server.web.Formats;
import io.miaobu.server.web.PageRenderer;
import io.miaobu.server.web.UserFacingException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.glassfish.jersey.server.ContainerRequest;

/** A project's members page: everyone in the project sees who is in it; owners invite, change roles and remove. */
@Path("")
public final class MembersPages {

    private final ProjectMembers members;
    private final ProjectService projects;
    private final PageRenderer pages;
    private final SiteUrls siteUrls;

    public MembersPages(ProjectMembers members, ProjectService projects, PageRenderer pages, SiteUrls siteUrls) {
        this.members = members;
        this.projects = projects;
        this.pages = pages;
        this.siteUrls = siteUrls;
    }

    @GET
    @Path("projects/{projectId}/members")
    @Produces(MediaType.TEXT_HTML)
    @Allow(Permission.PROJECT_VIEW)
    public Response page(@PathParam("projectId") long projectId, @Context ContainerRequest request) {
        return page(request, projectId, Map.of(), Map.of("username", "", "role", "viewer"), 200);
    }

    @POST
    @Path("projects/{projectId}/members")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    @Allow(Permission.PROJECT_OWN)
    public Response invite(@PathParam("projectId") long projectId, @FormParam("username") String username,
                           @FormParam("role") String role, @Context ContainerRequest request) {
        try {
            var member = members.put(projectId, projects.get(projectId).slug(), username, role(role),
                    AccessFilter.actor(request));
            return pages.redirect("/projects/" + projectId + "/members", member.username() + " is now a "
                    + member.role().label() + ".");
        } catch (UserFacingException e) {
            if (e.status() == 404) {
                throw e;
            }
            return page(request, projectId, PageRenderer.errorsOf(e), Map.of("username",
                    username == null ? "" : username, "role", role == null ? "viewer" : role), e.status());
        }
    }

    @POST
    @Path("projects/{projectId}/members/{userId}/role")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    @Allow(Permission.PROJECT_OWN)
    public Response changeRole(@PathParam("projectId") long projectId, @PathParam("userId") long userId,
                               @FormParam("role") String role, @Context ContainerRequest request) {
        return act(request, projectId, () -> {
            ProjectMember member = members.find(projectId, userId)
                    .orElseThrow(() -> UserFacingException.notFound("That user is not a member of this project."));
            var changed = members.put(projectId, projects.get(projectId).slug(), member.username(), role(role),
                    AccessFilter.actor(request));
            return changed.username() + " is now a " + changed.role().label() + ".";
        });
    }

    @POST
    @Path("projects/{projectId}/members/{userId}/remove")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    @Allow(Permission.PROJECT_OWN)
    public Response removeByForm(@PathParam("projectId") long projectId, @PathParam("userId") long userId,
                                 @Context ContainerRequest request) {
        return act(request, projectId, () -> {
            members.remove(projectId, projects.get(projectId).slug(), userId, AccessFilter.actor(request));
            return "Member removed.";
        });
    }

    private Response act(ContainerRequest request, long projectId, Supplier<String> action) {
        try {
            return pages.redirect("/projects/" + projectId + "/members", action.get());
        } catch (UserFacingException e) {
            if (e.status() == 404) {
                throw e;
            }
            return page(request, projectId, Map.of("_form", e.getMessage()), Map.of("username", "", "role", "viewer"),
                    e.status());
        }
    }

    private Response page(ContainerRequest request, long projectId, Map<String, String> errors,
                          Map<String, String> form, int status) {
        Project project = projects.get(projectId);
        long self = AccessFilter.currentUser(request).id();
        List<Map<String, Object>> rows = members.list(projectId).stream().map(m -> {
            var row = new HashMap<String, Object>();
            row.put("userId", m.userId());
            row.put("username", m.username());
            row.put("role", m.role().label());
            row.put("addedAt", Formats.dateTime(m.addedAt()));
            row.put("self", m.userId() == self);
            return (Map<String, Object>) row;
        }).toList();
        ProjectRole role = AccessFilter.projectRole(request);
        return pages.render(request, "project-members", Map.of(
                "project", ProjectPages.summaryOf(project, siteUrls),
                "members", rows,
                "canManage", role != null && role.atLeast(ProjectRole.OWNER),
                "errors", errors,
                "form", form), status);
    }

    private static ProjectRole role(String text) {
        return ProjectRole.parse(text).orElseThrow(() -> UserFacingException.invalid("role",
                "The role is viewer, maintainer or owner."));
    }
}
