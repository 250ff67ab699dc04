package io.miaobu.server.preview;

import io.miaobu.server.audit.AuditAction;
import io.miaobu.server.audit.Audited;
import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.build.Deployment;
import io.miaobu.server.project.Project;
import io.miaobu.server.project.ProjectService;
import io.miaobu.server.web.PageRenderer;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The previews' parts of the project's pages: the settings form (on the settings page) and the rows of the project
 * page's "Previews" section.
 */
@Path("")
public final class PreviewPages {

    private final Previews previews;
    private final ProjectService projects;
    private final PageRenderer pages;

    public PreviewPages(Previews previews, ProjectService projects, PageRenderer pages) {
        this.previews = previews;
        this.projects = projects;
        this.pages = pages;
    }

    /** Saves the three settings; an unticked checkbox is not sent, so it means off. */
    @POST
    @Path("projects/{projectId}/preview-settings")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    @Audited(AuditAction.SETTINGS_CHANGED)
    @Allow(Permission.PROJECT_CONFIGURE)
    public Response save(@PathParam("projectId") long projectId,
                         @FormParam("pullRequestPreviews") String pullRequestPreviews,
                         @FormParam("branchPreviews") String branchPreviews,
                         @FormParam("forkPreviews") String forkPreviews) {
        projects.get(projectId);
        previews.saveSettings(projectId, new PreviewSettings(pullRequestPreviews != null, branchPreviews != null,
                forkPreviews != null));
        return pages.redirect("/projects/" + projectId + "/settings", "Preview settings saved.");
    }

    /** Removes a preview from the project page: its builds are cancelled and it is no longer served. */
    @POST
    @Path("projects/{projectId}/previews/{previewId}/remove")
    @Produces(MediaType.TEXT_HTML)
    @Audited(AuditAction.PREVIEW_REMOVED)
    @Allow(Permission.PROJECT_DEPLOY)
    public Response remove(@PathParam("projectId") long projectId, @PathParam("previewId") long previewId) {
        projects.get(projectId);
        Preview preview = previews.get(projectId, previewId);
        previews.remove(preview);
        return pages.redirect("/projects/" + projectId, "Preview " + preview.label() + " removed.");
    }

    /** The settings as the settings page shows them. */
    public Map<String, Object> settingsModel(long projectId) {
        PreviewSettings settings = previews.settingsOf(projectId);
        return Map.of("pullRequestPreviews", settings.pullRequestPreviews(),
                "branchPreviews", settings.branchPreviews(), "forkPreviews", settings.forkPreviews());
    }

    /** The project page's "Previews" rows, newest first. */
    public List<Map<String, Object>> rowsOf(Project project) {
        List<Preview> all = previews.list(project.id());
        Map<Long, Deployment> latest = previews.latestDeployments(all);
        return all.stream().map(preview -> {
            Deployment deployment = latest.get(preview.id());
            var row = new HashMap<String, Object>();
            row.put("id", preview.id());
            row.put("label", preview.label());
            row.put("kind", preview.kind().name().toLowerCase(Locale.ROOT));
            row.put("branch", preview.branch());
            row.put("pullRequest", preview.pullRequest() == null ? "" : "#" + preview.pullRequest());
            row.put("fromFork", preview.fromFork());
            row.put("commitShort", preview.headSha() == null ? ""
                    : preview.headSha().substring(0, Math.min(7, preview.headSha().length())));
            row.put("status", deployment == null ? "" : deployment.status().name());
            row.put("deploymentId", deployment == null ? "" : deployment.id());
            row.put("url", preview.liveDeploymentId() == null ? "" : previews.urlOf(project, preview));
            return (Map<String, Object>) row;
        }).toList();
    }
}
