package io.miaobu.server.project;

import io.miaobu.server.auth.AccessFilter;
import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.deploy.SiteUrls;
import io.miaobu.server.plugin.ExtensionSettingsResource;
import io.miaobu.server.plugin.ExtensionSettingsResource.SettingsRequest;
import io.miaobu.server.web.PageRenderer;
import io.miaobu.server.web.UserFacingException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Form;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.glassfish.jersey.server.ContainerRequest;

/**
 * The page of one extension's settings for a project, generated from its {@code projectSettings()} schema: a form for
 * those who may configure the project, the values read-only for the others. Secrets are shown only as set or not.
 */
@Path("")
@Produces(MediaType.TEXT_HTML)
public final class ProjectExtensionSettingsPages {

    private static final String PATH = "projects/{projectId}/extensions/{point}/{extensionId}";

    private final ProjectExtensionSettings settings;
    private final ProjectService projects;
    private final PageRenderer pages;
    private final SiteUrls siteUrls;

    public ProjectExtensionSettingsPages(ProjectExtensionSettings settings, ProjectService projects,
                                         PageRenderer pages, SiteUrls siteUrls) {
        this.settings = settings;
        this.projects = projects;
        this.pages = pages;
        this.siteUrls = siteUrls;
    }

    /** Where the page of an extension's settings for a project is. */
    public static String pathOf(long projectId, String point, String extensionId) {
        return "/projects/" + projectId + "/extensions/" + encode(point) + "/" + encode(extensionId);
    }

    @GET
    @Path(PATH)
    @Allow(Permission.PROJECT_VIEW)
    public Response page(@PathParam("projectId") long projectId, @PathParam("point") String point,
                         @PathParam("extensionId") String id, @Context ContainerRequest request) {
        Project project = projects.get(projectId);
        return page(request, project, settings.extensionOf(project, point, id), Map.of(), 200);
    }

    @POST
    @Path(PATH)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Allow(Permission.PROJECT_CONFIGURE)
    public Response save(@PathParam("projectId") long projectId, @PathParam("point") String point,
                         @PathParam("extensionId") String id, Form form, @Context ContainerRequest request) {
        Project project = projects.get(projectId);
        ProjectExtensionSettings.UsedExtension used = settings.extensionOf(project, point, id);
        SettingsRequest submitted = ExtensionSettingsResource.submitted(form);
        try {
            settings.save(project, used, submitted.values(), Set.copyOf(submitted.clear()),
                    AccessFilter.actor(request));
            return pages.redirect(pathOf(projectId, used.point(), used.id()),
                    "Settings saved. They apply from the next deployment.");
        } catch (UserFacingException e) {
            if (e.status() == 404) {
                throw e;
            }
            return page(request, project, used, PageRenderer.errorsOf(e), e.status());
        }
    }

    private Response page(ContainerRequest request, Project project, ProjectExtensionSettings.UsedExtension used,
                          Map<String, String> errors, int status) {
        var model = new HashMap<String, Object>();
        model.put("project", ProjectPages.summaryOf(project, siteUrls));
        model.put("extension", Map.of("point", used.point(), "id", used.id(), "name", used.name(),
                "url", pathOf(project.id(), used.point(), used.id())));
        model.put("fields", ExtensionSettingsResource.formFields(settings.view(project.id(), used)));
        model.put("errors", errors);
        model.put("can", ProjectPages.abilitiesOf(request));
        return pages.render(request, "project-extension-settings", model, status);
    }

    private static String encode(String segment) {
        return java.net.URLEncoder.encode(segment, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }
}
