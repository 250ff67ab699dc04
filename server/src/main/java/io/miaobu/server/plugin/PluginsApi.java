package io.miaobu.server.plugin;

import io.miaobu.server.auth.AccessFilter;
import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.web.Listing;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import org.glassfish.jersey.server.ContainerRequest;

/**
 * The plugin manager's API (admins): list, install from an upload or the update site, enable, disable, upgrade,
 * uninstall. Everything under {@code api/v1/plugins}; no other resource has paths below it.
 */
@Path("api/v1/plugins")
@Allow(Permission.ADMIN)
@Produces(MediaType.APPLICATION_JSON)
public final class PluginsApi {

    private final PluginManagement plugins;

    public PluginsApi(PluginManagement plugins) {
        this.plugins = plugins;
    }

    @GET
    public Listing<PluginManagement.PluginView> list() {
        return new Listing<>(plugins.plugins(), false);
    }

    @GET
    @Path("{pluginId}")
    public PluginManagement.PluginView get(@PathParam("pluginId") String id) {
        return plugins.plugin(id);
    }

    /**
     * Installs a plugin zip, or upgrades the plugin of its id: the body is the zip ({@code application/zip} or
     * {@code application/octet-stream}), or a {@code multipart/form-data} form with the zip as {@code file}. No
     * {@code @Consumes}: the type is checked here, so a wrong one is answered 400 with what to send.
     */
    @POST
    public Response install(InputStream body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
                            @Context ContainerRequest request) throws IOException {
        PluginManagement.Outcome outcome = plugins.install(body, contentType, AccessFilter.actor(request));
        return Response.status(outcome.previousVersion() == null ? 201 : 200).entity(outcome).build();
    }

    @POST
    @Path("{pluginId}/enable")
    public PluginManagement.PluginView enable(@PathParam("pluginId") String id, @Context ContainerRequest request) {
        return plugins.enable(id, AccessFilter.actor(request));
    }

    /** Refused (409, naming them) while enabled plugins depend on it, unless {@code withDependents=true}. */
    @POST
    @Path("{pluginId}/disable")
    public Map<String, List<String>> disable(@PathParam("pluginId") String id,
                                             @QueryParam("withDependents") boolean withDependents,
                                             @Context ContainerRequest request) {
        return Map.of("disabled", plugins.disable(id, withDependents, AccessFilter.actor(request)));
    }

    /** Refused (409, naming them) while other plugins depend on it, unless {@code withDependents=true}. */
    @DELETE
    @Path("{pluginId}")
    public Map<String, List<String>> uninstall(@PathParam("pluginId") String id,
                                               @QueryParam("withDependents") boolean withDependents,
                                               @Context ContainerRequest request) {
        return Map.of("uninstalled", plugins.uninstall(id, withDependents, AccessFilter.actor(request)));
    }

    /** The update site's catalogue, its signature checked, with what is installed here and what could be. */
    @GET
    @Path("update-site")
    public Map<String, Object> updateSite() {
        return Map.of("items", plugins.catalogue());
    }

    /**
     * Installs (or upgrades to) a release from the update site, with the plugins it needs: body
     * {@code {"version": "1.2.0"}}, or no version for the newest that runs here.
     */
    @POST
    @Path("update-site/{pluginId}/install")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response installFromUpdateSite(@PathParam("pluginId") String id, VersionRequest body,
                                          @Context ContainerRequest request) throws IOException {
        List<PluginManagement.Outcome> installed = plugins.installFromUpdateSite(id,
                body == null ? null : body.version(), AccessFilter.actor(request));
        return Response.status(201).entity(Map.of("installed", installed)).build();
    }

    /** Which release to install. */
    public record VersionRequest(String version) {
    }
}
