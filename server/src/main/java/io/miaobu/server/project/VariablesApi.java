package io.miaobu.server.project;

import io.miaobu.server.auth.AccessFilter;
import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.web.Listing;
import io.miaobu.server.web.UserFacingException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import org.glassfish.jersey.server.ContainerRequest;

/** A project's environment variables in the API. Secret values go in and never come out. */
@Path("api/v1/projects/{projectId}/variables")
@Produces(MediaType.APPLICATION_JSON)
public final class VariablesApi {

    private final ProjectVariables variables;
    private final ProjectService projects;

    public VariablesApi(ProjectVariables variables, ProjectService projects) {
        this.variables = variables;
        this.projects = projects;
    }

    @GET
    @Allow(Permission.PROJECT_VIEW)
    public Listing<VariableView> list(@PathParam("projectId") long projectId) {
        return new Listing<>(variables.list(projectId).stream().map(VariableView::of).toList(), false);
    }

    /** Sets a variable: {@code {"value": "…", "secret": true}}; {@code ?environment=preview} (default production). */
    @PUT
    @Path("{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Allow(Permission.PROJECT_CONFIGURE)
    public VariableView put(@PathParam("projectId") long projectId, @PathParam("name") String name,
                            @QueryParam("environment") @DefaultValue("production") String environment,
                            VariableRequest body, @Context ContainerRequest request) {
        if (body == null || body.value() == null) {
            throw UserFacingException.invalid("value", "Send {\"value\": …, \"secret\": true|false}.");
        }
        return VariableView.of(variables.set(projectId, projects.get(projectId).slug(), name, environment,
                body.value(), Boolean.TRUE.equals(body.secret()), AccessFilter.actor(request)));
    }

    @DELETE
    @Path("{name}")
    @Allow(Permission.PROJECT_CONFIGURE)
    public Response delete(@PathParam("projectId") long projectId, @PathParam("name") String name,
                           @QueryParam("environment") @DefaultValue("production") String environment,
                           @Context ContainerRequest request) {
        variables.delete(projectId, projects.get(projectId).slug(), name, environment, AccessFilter.actor(request));
        return Response.noContent().build();
    }

    /** A variable as the API shows it: {@code value} is null for secrets. */
    public record VariableView(String name, String environment, boolean secret, String value, Instant updatedAt) {
        static VariableView of(ProjectVariables.Variable variable) {
            return new VariableView(variable.name(), variable.environment(), variable.secret(), variable.value(),
                    variable.updatedAt());
        }
    }

    public record VariableRequest(String value, Boolean secret) {
        @Override
        public String toString() {
            return "VariableRequest[****]";
        }
    }
}
