package io.miaobu.server.plugin;

import io.miaobu.server.auth.AccessFilter;
import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.web.PageRenderer;
import io.miaobu.server.web.UserFacingException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.glassfish.jersey.server.ContainerRequest;

/**
 * The plugin manager page (admins): every plugin with its state, extensions, dependencies and the projects using it;
 * uploading a zip; enabling, disabling and uninstalling; and the update site's catalogue. Everything under
 * {@code plugins}; no other resource has paths below it.
 */
@Path("plugins")
@Allow(Permission.ADMIN)
@Produces(MediaType.TEXT_HTML)
public final class PluginsPage {

    /** Every extension point; {@link ExtensionRegistry#POINTS}. */
    static final List<Class<? extends io.miaobu.api.MiaobuExtension>> POINTS = ExtensionRegistry.POINTS;

    private final PluginManagement plugins;
    private final PageRenderer pages;
    private final long maxZipBytes;

    public PluginsPage(PluginManagement plugins, PageRenderer pages, long maxZipBytes) {
        this.plugins = plugins;
        this.pages = pages;
        this.maxZipBytes = maxZipBytes;
    }

    @GET
    public Response page(@Context ContainerRequest request) {
        return page(request, Map.of(), 200);
    }

    /**
     * The upload form: {@code multipart/form-data} with the zip as {@code file}. A browser cannot send the CSRF token
     * as a header, and the filter does not read multipart bodies: the form's action carries it as {@code ?csrf=}.
     */
    @POST
    @Path("upload")
    public Response upload(InputStream body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
                           @Context ContainerRequest request) throws IOException {
        try {
            PluginManagement.Outcome outcome = plugins.install(body, contentType, AccessFilter.actor(request));
            return pages.redirect("/plugins", message(outcome));
        } catch (UserFacingException e) {
            return page(request, PageRenderer.errorsOf(e), e.status());
        }
    }

    @POST
    @Path("{pluginId}/enable")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response enable(@PathParam("pluginId") String id, @Context ContainerRequest request) {
        try {
            PluginManagement.PluginView plugin = plugins.enable(id, AccessFilter.actor(request));
            return pages.redirect("/plugins", plugin.state().equals("STARTED") ? "Plugin " + id + " is enabled."
                    : "Plugin " + id + " is enabled but failed to start: " + plugin.error());
        } catch (UserFacingException e) {
            return page(request, Map.of("_form", e.getMessage()), e.status());
        }
    }

    @POST
    @Path("{pluginId}/disable")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response disable(@PathParam("pluginId") String id, @FormParam("withDependents") String withDependents,
                            @Context ContainerRequest request) {
        try {
            List<String> disabled = plugins.disable(id, "true".equals(withDependents), AccessFilter.actor(request));
            return pages.redirect("/plugins", "Disabled " + String.join(", ", disabled) + ".");
        } catch (UserFacingException e) {
            return page(request, Map.of("_form", e.getMessage()), e.status());
        }
    }

    @POST
    @Path("{pluginId}/uninstall")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response uninstall(@PathParam("pluginId") String id, @FormParam("withDependents") String withDependents,
                              @Context ContainerRequest request) {
        try {
            List<String> removed = plugins.uninstall(id, "true".equals(withDependents), AccessFilter.actor(request));
            return pages.redirect("/plugins", "Uninstalled " + String.join(", ", removed) + ".");
        } catch (UserFacingException e) {
            return page(request, Map.of("_form", e.getMessage()), e.status());
        }
    }

    @GET
    @Path("update-site")
    public Response updateSite(@Context ContainerRequest request) {
        return updateSitePage(request, null, 200);
    }

    @POST
    @Path("update-site/{pluginId}/install")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response installFromUpdateSite(@PathParam("pluginId") String id, @FormParam("version") String version,
                                          @Context ContainerRequest request) throws IOException {
        try {
            List<PluginManagement.Outcome> installed = plugins.installFromUpdateSite(id, version,
                    AccessFilter.actor(request));
            return pages.redirect("/plugins", String.join(" ", installed.stream().map(PluginsPage::message)
                    .toList()));
        } catch (UserFacingException e) {
            return updateSitePage(request, e.getMessage(), e.status());
        }
    }

    private Response updateSitePage(ContainerRequest request, String error, int status) {
        var model = new HashMap<String, Object>();
        model.put("configured", plugins.updateSiteConfigured());
        List<Map<String, Object>> entries = new ArrayList<>();
        String problem = null;
        if (plugins.updateSiteConfigured()) {
            try {
                for (PluginManagement.CatalogueEntry entry : plugins.catalogue()) {
                    var row = new HashMap<String, Object>();
                    row.put("id", entry.id());
                    row.put("name", entry.name());
                    row.put("description", entry.description());
                    row.put("provider", entry.provider());
                    row.put("license", entry.license());
                    row.put("installedVersion", entry.installedVersion() == null ? "" : entry.installedVersion());
                    row.put("newestVersion", entry.newestVersion() == null ? "" : entry.newestVersion());
                    row.put("upgradable", entry.upgradable());
                    row.put("releases", entry.releases().stream().map(r -> Map.of("version", r.version(),
                            "requires", r.requires(), "dependencies", dependencies(r.dependencies()),
                            "installable", r.installable(), "problem", r.problem() == null ? "" : r.problem()))
                            .toList());
                    entries.add(row);
                }
            } catch (UserFacingException e) {
                problem = e.getMessage();
            }
        }
        model.put("entries", entries);
        model.put("problem", problem == null ? "" : problem);
        model.put("errors", error == null ? Map.of() : Map.of("_form", error));
        return pages.render(request, "plugin-update-site", model, status);
    }

    private Response page(ContainerRequest request, Map<String, String> errors, int status) {
        var rows = new ArrayList<Map<String, Object>>();
        for (PluginManagement.PluginView plugin : plugins.plugins()) {
            var row = new HashMap<String, Object>();
            row.put("id", plugin.id());
            row.put("version", plugin.version());
            row.put("state", plugin.state());
            row.put("enabled", plugin.enabled());
            row.put("provider", plugin.provider());
            row.put("description", plugin.description());
            row.put("license", plugin.license());
            row.put("error", plugin.error());
            row.put("requires", plugin.requires());
            row.put("dependencies", plugin.dependencies().stream().map(d -> Map.of("id", d.id(), "versions",
                    d.versions(), "optional", d.optional())).toList());
            row.put("dependents", plugin.dependents());
            row.put("extensions", plugin.extensions().stream()
                    .map(e -> Map.of("point", e.point(), "id", e.id(), "name", e.name())).toList());
            row.put("projects", plugin.projects().stream().map(p -> Map.of("id", p.id(), "slug", p.slug(),
                    "name", p.name(), "uses", String.join(", ", p.uses()))).toList());
            rows.add(row);
        }
        var model = new HashMap<String, Object>();
        model.put("plugins", rows);
        model.put("errors", errors);
        model.put("maxZipMiB", maxZipBytes >> 20);
        model.put("updateSiteConfigured", plugins.updateSiteConfigured());
        return pages.render(request, "plugins", model, status);
    }

    private static List<Map<String, String>> dependencies(Map<String, String> dependencies) {
        return dependencies.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(d -> Map.of("id", d.getKey(), "versions", d.getValue())).toList();
    }

    private static String message(PluginManagement.Outcome outcome) {
        PluginManagement.PluginView plugin = outcome.plugin();
        String what = outcome.previousVersion() == null
                ? "Installed " + plugin.id() + " " + plugin.version() + "."
                : "Upgraded " + plugin.id() + " from " + outcome.previousVersion() + " to " + plugin.version() + ".";
        return plugin.state().equals("FAILED") ? what + " It failed to start: " + plugin.error() : what;
    }
}
