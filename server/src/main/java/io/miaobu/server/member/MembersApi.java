package io.miaobu.server.member;

import io.miaobu.server.auth.AccessFilter;
import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.auth.ProjectRole;
import io.miaobu.server.project.Project;
import io.miaobu.server.project.ProjectService;
import io.miaobu.server.web.Listing;
import io.miaobu.server.web.UserFacingException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import org.glassfish.jersey.server.ContainerRequest;

/** A project's members in the API: everyone in the project lists them; owners add, change and remove. */
@Path("api/v1/projects/{projectId}/members")
@Produces(MediaType.APPLICATION_JSON)
public final class MembersApi {

    private final ProjectMembers members;
    private final ProjectService projects;

    public MembersApi(ProjectMembers members, ProjectService projects) {
        this.members = members;
        this.projects = projects;
    }

    @GET
    @Allow(Permission.PROJECT_VIEW)
    public Listing<MemberView> list(@PathParam("projectId") long projectId) {
        return new Listing<>(members.list(projectId).stream().map(MemberView::of).toList(), false);
    }

    /** Adds a user by name or changes their role: {@code {"username": "ada", "role": "maintainer"}}. */
    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    @Allow(Permission.PROJECT_OWN)
    public MemberView put(@PathParam("projectId") long projectId, MemberRequest body,
                          @Context ContainerRequest request) {
        if (body == null || body.username() == null) {
            throw UserFacingException.invalid("username", "Send {\"username\": …, \"role\": \"viewer\"}.");
        }
        Project project = projects.get(projectId);
        ProjectRole role = ProjectRole.parse(body.role()).orElseThrow(() -> UserFacingException.invalid("role",
                "The role is viewer, maintainer or owner."));
        return MemberView.of(members.put(projectId, project.slug(), body.username(), role,
                AccessFilter.actor(request)));
    }

    @DELETE
    @Path("{userId}")
    @Allow(Permission.PROJECT_OWN)
    public Response remove(@PathParam("projectId") long projectId, @PathParam("userId") long userId,
                           @Context ContainerRequest request) {
        members.remove(projectId, projects.get(projectId).slug(), userId, AccessFilter.actor(request));
        return Response.noContent().build();
    }

    public record MemberView(long userId, String username, String role, Instant addedAt) {
        static MemberView of(ProjectMember member) {
            return new MemberView(member.userId(), member.username(), member.role().label(), member.addedAt());
        }
    }

    public record MemberRequest(String username, String role) {
    }
}
