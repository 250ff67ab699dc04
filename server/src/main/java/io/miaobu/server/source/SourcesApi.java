package io.miaobu.server.source;

import io.miaobu.server.audit.AuditAction;
import io.miaobu.server.audit.Audited;
import io.miaobu.server.auth.AccessFilter;
import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.project.ProjectForm;
import io.miaobu.server.ratelimit.RateLimited;
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
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import org.glassfish.jersey.server.ContainerRequest;

/**
 * Importing from a source host the caller connected (GitHub): the repository picker, the analysis of one repository
 * and the import. Every call acts with the caller's own token at the source host.
 */
@Path("api/v1/sources/{sourceId}")
@Produces(MediaType.APPLICATION_JSON)
@Allow(Permission.SIGNED_IN)
public final class SourcesApi {

    private final RepositoryImports imports;

    public SourcesApi(RepositoryImports imports) {
        this.imports = imports;
    }

    @GET
    @Path("repositories")
    public RepositoryImports.Candidates repositories(@PathParam("sourceId") String sourceId,
                                                     @QueryParam("q") @DefaultValue("") String search,
                                                     @QueryParam("page") @DefaultValue("1") int page,
                                                     @Context ContainerRequest request) {
        return imports.list(AccessFilter.currentUser(request), sourceId, search, page);
    }

    /** What to analyse: a repository from the picker, its branch, and optionally a directory inside it. */
    public record AnalysisRequest(String cloneUrl, String branch, String rootDirectory) {
    }

    @POST
    @Path("analysis")
    @RateLimited("deploy")
    @Consumes(MediaType.APPLICATION_JSON)
    public RepositoryImports.Analysis analyse(@PathParam("sourceId") String sourceId, AnalysisRequest body,
                                              @Context ContainerRequest request) {
        if (body == null) {
            throw UserFacingException.invalid(null, "Send {\"cloneUrl\": …, \"branch\": …} as JSON.");
        }
        return imports.analyse(AccessFilter.currentUser(request), sourceId, body.cloneUrl(), body.branch(),
                body.rootDirectory());
    }

    /** The imported project, whether its webhook was registered (and why not), and its first deployment. */
    public record ImportView(long projectId, String slug, long firstDeploymentId, boolean webhookInstalled,
                             String webhookProblem) {
    }

    @POST
    @Path("imports")
    @Audited(AuditAction.PROJECT_CREATED)
    @Consumes(MediaType.APPLICATION_JSON)
    public Response importRepository(@PathParam("sourceId") String sourceId, ProjectForm form,
                                     @Context ContainerRequest request) {
        if (form == null) {
            throw UserFacingException.invalid(null, "Send the project as a JSON object.");
        }
        var imported = imports.importRepository(AccessFilter.currentUser(request), sourceId, form);
        return Response.created(URI.create("/api/v1/projects/" + imported.project().id()))
                .entity(new ImportView(imported.project().id(), imported.project().slug(),
                        imported.firstDeployment().id(), imported.webhookInstalled(), imported.webhookProblem()))
                .build();
    }
}
