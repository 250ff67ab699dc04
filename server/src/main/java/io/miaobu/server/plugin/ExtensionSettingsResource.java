package io.miaobu.server.plugin;

import io.miaobu.api.MiaobuExtension;
import io.miaobu.api.notify.Notifier;
import io.miaobu.server.auth.AccessFilter;
import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.web.PageRenderer;
import io.miaobu.server.web.UserFacingException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Form;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.HashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.glassfish.jersey.server.ContainerRequest;

/** Admins read and change an extension's server-wide settings; secret ones are write-only. */
@Path("")
@Allow(Permission.ADMIN)
public final class ExtensionSettingsResource {

    private static final String CLEAR_PREFIX = "clear.";

    private final ExtensionSettings settings;
    private final PageRenderer pages;

    public ExtensionSettingsResource(ExtensionSettings settings, PageRenderer pages) {
        this.settings = settings;
        this.pages = pages;
    }

    @GET
    @Path("api/v1/extensions/{point}/{extensionId}/settings")
    @Produces(MediaType.APPLICATION_JSON)
    public List<ExtensionSettings.FieldView> get(@PathParam("point") String point,
                                                 @PathParam("extensionId") String id) {
        return settings.view(point, settings.extension(point, id));
    }

    /**
     * Replaces the settings: {@code {"values": {"name": "value"}, "clear": ["secret-name"]}}. A secret left out keeps
     * its stored value.
     */
    @PUT
    @Path("api/v1/extensions/{point}/{extensionId}/settings")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public List<ExtensionSettings.FieldView> put(@PathParam("point") String point, @PathParam("extensionId") String id,
                                                 SettingsRequest body, @Context ContainerRequest request) {
        if (body == null || body.values() == null) {
            throw UserFacingException.invalid("values", "Send {\"values\": {…}}.");
        }
        MiaobuExtension extension = settings.extension(point, id);
        settings.save(point, extension, body.values(), body.clear() == null ? Set.of() : Set.copyOf(body.clear()),
                AccessFilter.actor(request));
        return settings.view(point, extension);
    }

    @GET
    @Path("admin/extensions/{point}/{extensionId}/settings")
    @Produces(MediaType.TEXT_HTML)
    public Response page(@PathParam("point") String point, @PathParam("extensionId") String id,
                         @Context ContainerRequest request) {
        return page(request, point, settings.extension(point, id), Map.of(), 200);
    }

    @POST
    @Path("admin/extensions/{point}/{extensionId}/settings")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    public Response save(@PathParam("point") String point, @PathParam("extensionId") String id, Form form,
                         @Context ContainerRequest request) {
        MiaobuExtension extension = settings.extension(point, id);
        SettingsRequest submitted = submitted(form);
        try {
            settings.save(point, extension, submitted.values(), Set.copyOf(submitted.clear()),
                    AccessFilter.actor(request));
            return pages.redirect("/admin/extensions/" + point + "/" + id + "/settings", "Settings saved.");
        } catch (UserFacingException e) {
            return page(request, point, extension, PageRenderer.errorsOf(e), e.status());
        }
    }

    /** The result of a connection test: {@code supported} false when the extension has none. */
    public record ConnectionTest(boolean supported, boolean passed,
                                 List<io.miaobu.api.config.ConnectionCheck> checks) {
    }

    /** Tests the stored settings against the remote service, one check per permission the extension needs. */
    @POST
    @Path("api/v1/extensions/{point}/{extensionId}/check")
    @Produces(MediaType.APPLICATION_JSON)
    public ConnectionTest check(@PathParam("point") String point, @PathParam("extensionId") String id) {
        return test(point, settings.extension(point, id));
    }

    @POST
    @Path("admin/extensions/{point}/{extensionId}/check")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    public Response checkPage(@PathParam("point") String point, @PathParam("extensionId") String id,
                              @Context ContainerRequest request) {
        MiaobuExtension extension = settings.extension(point, id);
        return page(request, point, extension, Map.of(), 200, test(point, extension));
    }

    private ConnectionTest test(String point, MiaobuExtension extension) {
        if (!ExtensionSettings.hasConnectionTest(extension)) {
            return new ConnectionTest(false, false, List.of());
        }
        var checks = settings.checkConnection(point, extension);
        return new ConnectionTest(true, !checks.isEmpty() && checks.stream().allMatch(c -> c.passed()), checks);
    }

    private Response page(ContainerRequest request, String point, MiaobuExtension extension,
                          Map<String, String> errors, int status) {
        return page(request, point, extension, errors, status, null);
    }

    private Response page(ContainerRequest request, String point, MiaobuExtension extension,
                          Map<String, String> errors, int status, ConnectionTest connectionTest) {
        var fields = formFields(settings.view(point, extension));
        var model = new HashMap<String, Object>();
        model.put("extension", Map.of("point", point, "id", extension.id(), "name", extension.displayName()));
        model.put("fields", fields);
        // a notifier that addresses people is tested by sending to the admin's own address
        model.put("testEmail", extension instanceof Notifier notifier && notifier.deliversToPeople());
        model.put("connectionTest", ExtensionSettings.hasConnectionTest(extension));
        model.put("errors", errors);
        if (connectionTest != null) {
            model.put("checks", connectionTest.checks().stream().map(c -> Map.of("name", c.name(),
                    "passed", c.passed(), "detail", c.detail())).toList());
            model.put("checksPassed", connectionTest.passed());
        }
        return pages.render(request, "extension-settings", model, status);
    }

    /** Settings fields as the {@code forms.settingsFields} and {@code forms.settingsFacts} macros take them. */
    public static List<Map<String, Object>> formFields(List<ExtensionSettings.FieldView> fields) {
        return fields.stream().map(f -> {
            var row = new HashMap<String, Object>();
            row.put("name", f.name());
            row.put("label", f.label());
            row.put("help", f.help());
            row.put("type", f.type());
            row.put("required", f.required());
            row.put("secret", f.secret());
            row.put("value", f.value());
            row.put("isSet", f.isSet());
            row.put("options", f.options());
            return (Map<String, Object>) row;
        }).toList();
    }

    /**
     * The fields of a submitted settings form: values by name, and the secrets to remove ({@code clear.<name>}); the
     * CSRF token is no setting.
     */
    public static SettingsRequest submitted(Form form) {
        var values = new HashMap<String, String>();
        var clear = new ArrayList<String>();
        form.asMap().forEach((name, list) -> {
            if (name.equals("csrf") || list.isEmpty()) {
                return;
            }
            if (name.startsWith(CLEAR_PREFIX)) {
                clear.add(name.substring(CLEAR_PREFIX.length()));
            } else {
                values.put(name, list.get(0));
            }
        });
        return new SettingsRequest(values, clear);
    }

    /** @param clear secret settings to remove */
    public record SettingsRequest(Map<String, String> values, List<String> clear) {
        @Override
        public String toString() {
            return "SettingsRequest[****]";
        }
    }
}
