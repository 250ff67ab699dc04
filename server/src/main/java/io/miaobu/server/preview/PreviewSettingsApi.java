package io.miaobu.server.preview;

import io.miaobu.server.audit.AuditAction;
import io.miaobu.server.audit.Audited;
import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.project.ProjectService;
import io.miaobu.server.web.UserFacingException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Which previews a project gets, in the API. */
@Path("api/v1/projects/{projectId}/preview-settings")
@Produces(MediaType.APPLICATION_JSON)
public final class PreviewSettingsApi {

    private final Previews previews;
    private final ProjectService projects;

    public PreviewSettingsApi(Previews previews, ProjectService projects) {
        this.previews = previews;
        this.projects = projects;
    }

    @GET
    @Allow(Permission.PROJECT_CONFIGURE)
    public PreviewSettings settings(@PathParam("projectId") long projectId) {
        projects.get(projectId);
        return previews.settingsOf(projectId);
    }

    /** Changes the settings given; those left out stay. */
    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    @Audited(AuditAction.SETTINGS_CHANGED)
    @Allow(Permission.PROJECT_CONFIGURE)
    public PreviewSettings saveSettings(@PathParam("projectId") long projectId, PreviewSettings body) {
        projects.get(projectId);
        if (body == null) {
            throw UserFacingException.invalid(null, "Send the settings as a JSON object.");
        }
        return previews.saveSettings(projectId, body);
    }
}
