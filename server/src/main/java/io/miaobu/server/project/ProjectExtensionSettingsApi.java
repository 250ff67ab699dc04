package io.miaobu.server.project;

import io.miaobu.server.auth.AccessFilter;
import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.plugin.ExtensionSettings;
import io.miaobu.server.plugin.ExtensionSettingsResource.SettingsRequest;
import io.miaobu.server.web.Listing;
import io.miaobu.server.web.UserFacingException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Set;
import org.glassfish.jersey.server.ContainerRequest;

/** A project's settings for the extensions it uses, in the API. Secret values go in and never come out. */
@Path("api/v1/projects/{projectId}/extension-settings")
@Produces(MediaType.APPLICATION_JSON)
public final class ProjectExtensionSettingsApi {

    private final ProjectExtensionSettings settings;
    private final ProjectService projects;

    public ProjectExtensionSettingsApi(ProjectExtensionSettings settings, ProjectService projects) {
        this.settings = settings;
        this.projects = projects;
    }

    /** An extension's settings for the project; a secret field says only whether it is set ({@code value} null). */
    public record ExtensionSettingsView(String point, String id, String name,
                                        List<ExtensionSettings.FieldView> fields) {
    }

    /** The extensions the project uses that take settings per project, with their fields. */
    @GET
    @Allow(Permission.PROJECT_VIEW)
    public Listing<ExtensionSettingsView> list(@PathParam("projectId") long projectId) {
        Project project = projects.get(projectId);
        return new Listing<>(settings.withSettings(project).stream().map(used -> view(project, used)).toList(),
                false);
    }

    @GET
    @Path("{point}/{extensionId}")
    @Allow(Permission.PROJECT_VIEW)
    public ExtensionSettingsView get(@PathParam("projectId") long projectId, @PathParam("point") String point,
                                     @PathParam("extensionId") String id) {
        Project project = projects.get(projectId);
        return view(project, settings.extensionOf(project, point, id));
    }

    /**
     * Replaces the project's settings for the extension: {@code {"values": {"name": "value"}, "clear":
     * ["secret-name"]}}. A secret left out (or empty) keeps its stored value.
     */
    @PUT
    @Path("{point}/{extensionId}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Allow(Permission.PROJECT_CONFIGURE)
    public ExtensionSettingsView put(@PathParam("projectId") long projectId, @PathParam("point") String point,
                                     @PathParam("extensionId") String id, SettingsRequest body,
                                     @Context ContainerRequest request) {
        if (body == null || body.values() == null) {
            throw UserFacingException.invalid("values", "Send {\"values\": {…}}.");
        }
        Project project = projects.get(projectId);
        ProjectExtensionSettings.UsedExtension used = settings.extensionOf(project, point, id);
        settings.save(project, used, body.values(), body.clear() == null ? Set.of() : Set.copyOf(body.clear()),
                AccessFilter.actor(request));
        return view(project, used);
    }

    private ExtensionSettingsView view(Project project, ProjectExtensionSettings.UsedExtension used) {
        return new ExtensionSettingsView(used.point(), used.id(), used.name(), settings.view(project.id(), used));
    }
}
