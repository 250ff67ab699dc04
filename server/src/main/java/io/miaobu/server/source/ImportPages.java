package io.miaobu.server.source;

import io.miaobu.api.source.SourceProvider;
import io.miaobu.server.audit.AuditAction;
import io.miaobu.server.audit.Audited;
import io.miaobu.server.auth.AccessFilter;
import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.auth.User;
import io.miaobu.server.plugin.ExtensionRegistry;
import io.miaobu.server.project.ProjectForm;
import io.miaobu.server.ratelimit.RateLimited;
import io.miaobu.server.web.PageRenderer;
import io.miaobu.server.web.UserFacingException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Form;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.glassfish.jersey.server.ContainerRequest;

/** The import pages: pick a repository, see what was detected, accept or override it, import. */
@Path("import/{sourceId}")
@Produces(MediaType.TEXT_HTML)
@Allow(Permission.SIGNED_IN)
public final class ImportPages {

    private final RepositoryImports imports;
    private final ExtensionRegistry extensions;
    private final PageRenderer pages;

    public ImportPages(RepositoryImports imports, ExtensionRegistry extensions, PageRenderer pages) {
        this.imports = imports;
        this.extensions = extensions;
        this.pages = pages;
    }

    @GET
    public Response picker(@PathParam("sourceId") String sourceId, @QueryParam("q") @DefaultValue("") String search,
                           @QueryParam("page") @DefaultValue("1") int page, @Context ContainerRequest request) {
        SourceProvider provider = provider(sourceId);
        User user = AccessFilter.currentUser(request);
        var model = new HashMap<String, Object>();
        model.put("source", Map.of("id", provider.id(), "name", provider.displayName()));
        model.put("search", search);
        if (!imports.connected(user, sourceId)) {
            model.put("connectUrl", connectUrl(provider));
            return pages.render(request, "import", model);
        }
        try {
            RepositoryImports.Candidates candidates = imports.list(user, sourceId, search, page);
            model.put("repositories", candidates.repositories());
            model.put("page", candidates.page());
            model.put("hasMore", candidates.hasMore());
            return pages.render(request, "import", model);
        } catch (UserFacingException e) {
            model.put("problem", e.getMessage());
            return pages.render(request, "import", model, e.status());
        }
    }

    @GET
    @Path("analysis")
    @RateLimited("deploy")
    public Response analysis(@PathParam("sourceId") String sourceId, @QueryParam("cloneUrl") String cloneUrl,
                             @QueryParam("branch") String branch, @QueryParam("rootDirectory") String rootDirectory,
                             @Context ContainerRequest request) {
        SourceProvider provider = provider(sourceId);
        var model = new HashMap<String, Object>();
        model.put("source", Map.of("id", provider.id(), "name", provider.displayName()));
        if (!imports.connected(AccessFilter.currentUser(request), sourceId)) {
            // the picker's page asks to connect first, and comes back to the picker afterwards
            model.put("search", "");
            model.put("connectUrl", connectUrl(provider));
            return pages.render(request, "import", model);
        }
        try {
            var analysis = imports.analyse(AccessFilter.currentUser(request), sourceId, cloneUrl, branch,
                    rootDirectory);
            model.put("analysis", analysis);
            model.put("form", new ProjectForm(analysis.name(), analysis.cloneUrl(), analysis.branch(),
                    analysis.rootDirectory(), analysis.installCommand(), analysis.buildCommand(),
                    analysis.outputDirectory(), false));
            return pages.render(request, "import-analysis", model);
        } catch (UserFacingException e) {
            model.put("problem", e.getMessage());
            model.put("form", new ProjectForm("", cloneUrl, branch, rootDirectory, "", "", "", false));
            return pages.render(request, "import-analysis", model, e.status());
        }
    }

    @POST
    @Audited(AuditAction.PROJECT_CREATED)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response importRepository(@PathParam("sourceId") String sourceId, Form body,
                                     @Context ContainerRequest request) {
        SourceProvider provider = provider(sourceId);
        MultivaluedMap<String, String> fields = body.asMap();
        var form = new ProjectForm(fields.getFirst("name"), fields.getFirst("repositoryUrl"),
                fields.getFirst("branch"), fields.getFirst("rootDirectory"), fields.getFirst("installCommand"),
                fields.getFirst("buildCommand"), fields.getFirst("outputDirectory"),
                "on".equals(fields.getFirst("spa")) || "true".equals(fields.getFirst("spa")));
        try {
            var imported = imports.importRepository(AccessFilter.currentUser(request), sourceId, form);
            String message = imported.webhookInstalled()
                    ? "Project imported; its first deployment is queued and every push now deploys."
                    : "Project imported and its first deployment queued, but the webhook was not registered: "
                            + (imported.webhookProblem() == null ? provider.displayName()
                            + " cannot register webhooks." : imported.webhookProblem());
            return pages.redirect("/projects/" + imported.project().id(), message);
        } catch (UserFacingException e) {
            var model = new HashMap<String, Object>();
            model.put("source", Map.of("id", provider.id(), "name", provider.displayName()));
            model.put("form", form);
            model.put("errors", PageRenderer.errorsOf(e));
            return pages.render(request, "import-analysis", model, e.status());
        }
    }

    private static String connectUrl(SourceProvider provider) {
        return "/auth/" + provider.id() + "/start?intent=link&next="
                + URLEncoder.encode("/import/" + provider.id(), StandardCharsets.UTF_8);
    }

    private SourceProvider provider(String sourceId) {
        return extensions.find(SourceProvider.class, sourceId)
                .orElseThrow(() -> UserFacingException.notFound("No source plugin '" + sourceId + "' is running."));
    }
}
