package io.miaobu.server.project;

import io.miaobu.server.audit.AuditAction;
import io.miaobu.server.audit.Audited;
import io.miaobu.server.auth.AccessFilter;
import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.auth.ProjectRole;
import io.miaobu.server.build.BuildLimits;
import io.miaobu.server.build.BuildService;
import io.miaobu.server.build.cache.DependencyCache;
import io.miaobu.server.build.Deployment;
import io.miaobu.server.build.DeploymentDao;
import io.miaobu.server.build.DeploymentRows;
import io.miaobu.server.deploy.SiteUrls;
import io.miaobu.server.preview.PreviewPages;
import io.miaobu.server.ratelimit.RateLimited;
import io.miaobu.server.web.Formats;
import io.miaobu.server.web.PageRenderer;
import io.miaobu.server.web.UserFacingException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Form;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.glassfish.jersey.server.ContainerRequest;
import org.jdbi.v3.core.Jdbi;

/** The dashboard, new-project, project and project-settings pages. */
@Path("")
@Produces(MediaType.TEXT_HTML)
@Allow(Permission.SIGNED_IN)
public final class ProjectPages {

    private final ProjectService projects;
    private final ProjectRemover remover;
    private final BuildService builds;
    private final BuildLimits.Store limits;
    private final DependencyCache dependencyCache;
    private final DeploymentDao deployments;
    private final PageRenderer pages;
    private final SiteUrls siteUrls;
    /** The source hosts users can import from (id, name): those with a sign-in of the same id. */
    private final java.util.function.Supplier<List<Map<String, String>>> importSources;
    private final Clock clock;
    private final PreviewPages previews;
    private final ProjectExtensionSettings extensionSettings;

    public ProjectPages(ProjectService projects, ProjectRemover remover, BuildService builds,
                        BuildLimits.Store limits, DependencyCache dependencyCache, Jdbi jdbi, PageRenderer pages,
                        SiteUrls siteUrls, Clock clock, PreviewPages previews,
                        java.util.function.Supplier<List<Map<String, String>>> importSources,
                        ProjectExtensionSettings extensionSettings) {
        this.previews = previews;
        this.extensionSettings = extensionSettings;
        this.importSources = importSources;
        this.limits = limits;
        this.dependencyCache = dependencyCache;
        this.projects = projects;
        this.remover = remover;
        this.builds = builds;
        this.deployments = jdbi.onDemand(DeploymentDao.class);
        this.pages = pages;
        this.siteUrls = siteUrls;
        this.clock = clock;
    }

    @GET
    public Response dashboard(@Context ContainerRequest request) {
        List<Project> all = projects.listVisibleTo(AccessFilter.currentUser(request));
        List<Long> ids = all.stream().map(Project::id).toList();
        Map<Long, Deployment> latest = ids.isEmpty() ? Map.of() : deployments.latestOfProjects(ids).stream()
                .collect(Collectors.toMap(Deployment::projectId, Function.identity()));
        List<Long> liveIds = all.stream().map(Project::liveDeploymentId).filter(java.util.Objects::nonNull).toList();
        Map<Long, Deployment> live = liveIds.isEmpty() ? Map.of() : deployments.findByIds(liveIds).stream()
                .collect(Collectors.toMap(Deployment::id, Function.identity()));
        var rows = all.stream().map(p -> {
            Map<String, Object> row = summary(p);
            Deployment liveDeployment = p.liveDeploymentId() == null ? null : live.get(p.liveDeploymentId());
            if (liveDeployment != null) {
                row.put("live", Map.of("id", liveDeployment.id(), "commitShort", liveDeployment.commitShort(),
                        "finishedAt", Formats.dateTime(liveDeployment.finishedAt()),
                        "finishedAtIso", Formats.iso(liveDeployment.finishedAt())));
            }
            Deployment last = latest.get(p.id());
            if (last != null) {
                row.put("lastBuild", Map.of("id", last.id(), "status", last.status().name(),
                        "createdAt", Formats.dateTime(last.createdAt()),
                        "createdAtIso", Formats.iso(last.createdAt())));
            }
            return row;
        }).toList();
        return pages.render(request, "dashboard", Map.of("projects", rows, "importSources", importSources.get()));
    }

    @GET
    @Path("projects/new")
    public Response newProject(@Context ContainerRequest request) {
        return newProjectPage(request, Map.of(), new ProjectForm("", "", "main", "", "", "", "", false), 200);
    }

    @POST
    @Audited(AuditAction.PROJECT_CREATED)
    @Path("projects")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response create(Form body, @Context ContainerRequest request) {
        var form = projectForm(body.asMap(), body.asMap().getFirst("repositoryUrl"));
        try {
            Project project = projects.create(form, AccessFilter.currentUser(request));
            builds.enqueue(project, AccessFilter.currentUser(request), "created", null);
            return pages.redirect("/projects/" + project.id(), "Project created; its first deployment is queued.");
        } catch (UserFacingException e) {
            return newProjectPage(request, PageRenderer.errorsOf(e), form, e.status());
        }
    }

    @GET
    @Allow(Permission.PROJECT_VIEW)
    @Path("projects/{projectId}")
    public Response project(@PathParam("projectId") long id, @Context ContainerRequest request) {
        Project project = projects.get(id);
        Instant now = clock.instant();
        var rows = builds.listForProject(id, 50).stream()
                .map(d -> DeploymentRows.of(d, project.liveDeploymentId(), now)).toList();
        return pages.render(request, "project", Map.of("project", summary(project), "deployments", rows,
                "previews", previews.rowsOf(project), "can", abilitiesOf(request)));
    }

    @POST
    @Audited(AuditAction.DEPLOY_TRIGGERED)
    @Allow(Permission.PROJECT_DEPLOY)
    @RateLimited("deploy")
    @Path("projects/{projectId}/deploy")
    public Response deploy(@PathParam("projectId") long id, @Context ContainerRequest request) {
        Deployment deployment = builds.enqueue(projects.get(id), AccessFilter.currentUser(request), "manual", null);
        return pages.redirect("/deployments/" + deployment.id(), "Deployment queued.");
    }

    @GET
    @Allow(Permission.PROJECT_VIEW)
    @Path("projects/{projectId}/settings")
    public Response settings(@PathParam("projectId") long id, @Context ContainerRequest request) {
        Project project = projects.get(id);
        return settingsPage(request, project, formOf(project), Map.of(), 200);
    }

    @POST
    @Audited(AuditAction.SETTINGS_CHANGED)
    @Allow(Permission.PROJECT_CONFIGURE)
    @Path("projects/{projectId}/settings")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response saveSettings(@PathParam("projectId") long id, Form body, @Context ContainerRequest request) {
        // the repository of a project is fixed: the settings form has no such field
        var form = projectForm(body.asMap(), null);
        try {
            projects.update(id, form);
            return pages.redirect("/projects/" + id, "Settings saved. They apply from the next deployment.");
        } catch (UserFacingException e) {
            if (e.status() == 404) {
                throw e;
            }
            return settingsPage(request, projects.get(id), form, PageRenderer.errorsOf(e), e.status());
        }
    }

    @POST
    @Audited(AuditAction.SETTINGS_CHANGED)
    @Allow(Permission.PROJECT_CONFIGURE)
    @Path("projects/{projectId}/build-limits")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response saveBuildLimits(@PathParam("projectId") long id, Form body, @Context ContainerRequest request) {
        var fields = body.asMap();
        Map<String, String> submitted = new HashMap<>();
        for (String name : List.of("maxConcurrentBuilds", "timeoutCloneSeconds", "timeoutInstallSeconds",
                "timeoutBuildSeconds", "timeoutUploadSeconds")) {
            submitted.put(name, orEmpty(fields.getFirst(name)).strip());
        }
        try {
            limits.update(id, new BuildLimits(wholeNumber("maxConcurrentBuilds", submitted.get("maxConcurrentBuilds"),
                    1), fields.containsKey("retryInterrupted"),
                    optionalWholeNumber("timeoutCloneSeconds", submitted.get("timeoutCloneSeconds")),
                    optionalWholeNumber("timeoutInstallSeconds", submitted.get("timeoutInstallSeconds")),
                    optionalWholeNumber("timeoutBuildSeconds", submitted.get("timeoutBuildSeconds")),
                    optionalWholeNumber("timeoutUploadSeconds", submitted.get("timeoutUploadSeconds")),
                    fields.containsKey("dependencyCache")));
            return pages.redirect("/projects/" + id + "/settings", "Build limits saved.");
        } catch (UserFacingException e) {
            if (e.status() == 404) {
                throw e;
            }
            Project project = projects.get(id);
            return settingsPage(request, project, formOf(project), PageRenderer.errorsOf(e), e.status(), submitted);
        }
    }

    @POST
    @Audited(AuditAction.SETTINGS_CHANGED)
    @Allow(Permission.PROJECT_CONFIGURE)
    @Path("projects/{projectId}/dependency-cache/clear")
    public Response clearDependencyCache(@PathParam("projectId") long id) {
        var cleared = dependencyCache.clear(id);
        return pages.redirect("/projects/" + id + "/settings", "Dependency cache cleared ("
                + Formats.bytes(cleared.bytes()) + "). The next build installs from scratch.");
    }

    @POST
    @Audited(AuditAction.QUEUE_CLEARED)
    @Allow(Permission.PROJECT_DEPLOY)
    @Path("projects/{projectId}/queue/clear")
    public Response clearQueue(@PathParam("projectId") long id, @Context ContainerRequest request) {
        int cancelled = builds.clearQueue(id, AccessFilter.currentUser(request));
        return pages.redirect("/projects/" + id, cancelled == 1 ? "Cancelled 1 queued deployment."
                : "Cancelled " + cancelled + " queued deployments.");
    }

    private static int wholeNumber(String field, String text, int fallback) {
        if (text == null || text.isEmpty()) {
            return fallback;
        }
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw UserFacingException.invalid(field, "Enter a whole number.");
        }
    }

    private static Integer optionalWholeNumber(String field, String text) {
        return text == null || text.isEmpty() ? null : wholeNumber(field, text, 0);
    }

    @POST
    @Audited(AuditAction.PROJECT_DELETED)
    @Allow(Permission.PROJECT_OWN)
    @Path("projects/{projectId}/delete")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response delete(@PathParam("projectId") long id, @FormParam("confirmSlug") String confirmSlug,
                           @Context ContainerRequest request) {
        Project project = projects.get(id);
        try {
            remover.delete(id, confirmSlug, AccessFilter.currentUser(request));
            return pages.redirect("/", "Project " + project.name() + " and its site were deleted.");
        } catch (UserFacingException e) {
            return settingsPage(request, project, formOf(project), PageRenderer.errorsOf(e), e.status());
        }
    }

    private Response newProjectPage(ContainerRequest request, Map<String, String> errors, ProjectForm form,
                                    int status) {
        return pages.render(request, "project-new", Map.of("errors", errors, "form", formModel(form)), status);
    }

    private Response settingsPage(ContainerRequest request, Project project, ProjectForm form,
                                  Map<String, String> errors, int status) {
        BuildLimits current = limits.get(project.id());
        var shown = new HashMap<String, String>();
        shown.put("maxConcurrentBuilds", Integer.toString(current.maxConcurrentBuilds()));
        shown.put("timeoutCloneSeconds", orEmpty(current.timeoutCloneSeconds()));
        shown.put("timeoutInstallSeconds", orEmpty(current.timeoutInstallSeconds()));
        shown.put("timeoutBuildSeconds", orEmpty(current.timeoutBuildSeconds()));
        shown.put("timeoutUploadSeconds", orEmpty(current.timeoutUploadSeconds()));
        return settingsPage(request, project, form, errors, status, shown);
    }

    private Response settingsPage(ContainerRequest request, Project project, ProjectForm form,
                                  Map<String, String> errors, int status, Map<String, String> limitsForm) {
        var model = new HashMap<String, Object>();
        var limitsModel = new HashMap<String, Object>(limitsForm);
        BuildLimits stored = limits.get(project.id());
        limitsModel.put("retryInterrupted", stored.retryInterrupted());
        limitsModel.put("dependencyCache", stored.dependencyCache());
        model.put("limits", limitsModel);
        model.put("previewSettings", previews.settingsModel(project.id()));
        // each extension with settings per project, its values read-only: they are changed on its own page
        model.put("extensionSettings", extensionSettings.withSettings(project).stream().map(used -> Map.of(
                "point", used.point(), "id", used.id(), "name", used.name(),
                "url", ProjectExtensionSettingsPages.pathOf(project.id(), used.point(), used.id()),
                "fields", io.miaobu.server.plugin.ExtensionSettingsResource.formFields(
                        extensionSettings.view(project.id(), used)))).toList());
        model.put("project", summary(project));
        model.put("form", formModel(form));
        model.put("errors", errors);
        model.put("can", abilitiesOf(request));
        deployments.latestWithDetectedPlan(project.id()).ifPresent(d -> model.put("detected", Map.of(
                "framework", d.detectedFramework(),
                "packageManager", orEmpty(d.detectedPackageManager()),
                "installCommand", orEmpty(d.detectedInstallCommand()),
                "buildCommand", orEmpty(d.detectedBuildCommand()),
                "outputDirectory", orEmpty(d.detectedOutputDirectory()))));
        return pages.render(request, "project-settings", model, status);
    }

    private Map<String, Object> summary(Project p) {
        return summaryOf(p, siteUrls);
    }

    /** The project as every project page's model shows it ({@code project}). */
    public static Map<String, Object> summaryOf(Project p, SiteUrls siteUrls) {
        var row = new HashMap<String, Object>();
        row.put("id", p.id());
        row.put("name", p.name());
        row.put("slug", p.slug());
        row.put("siteUrl", siteUrls.of(p.slug()));
        row.put("repositoryUrl", p.repositoryUrl());
        row.put("branch", p.branch());
        row.put("spa", p.spa());
        if (p.liveDeploymentId() != null) {
            row.put("liveDeploymentId", p.liveDeploymentId());
        }
        return row;
    }

    /** What the caller may do in the project ({@code can}), for pages to show only the forms that will work. */
    public static Map<String, Object> abilitiesOf(ContainerRequest request) {
        ProjectRole role = AccessFilter.projectRole(request);
        if (role == null) {
            return Map.of("deploy", false, "configure", false, "own", false);
        }
        return Map.of("deploy", role.atLeast(Permission.PROJECT_DEPLOY.minimumRole()),
                "configure", role.atLeast(Permission.PROJECT_CONFIGURE.minimumRole()),
                "own", role.atLeast(Permission.PROJECT_OWN.minimumRole()));
    }

    /** The project fields of a submitted form; a field left out counts as empty, a checkbox left out as off. */
    private static ProjectForm projectForm(MultivaluedMap<String, String> fields, String repositoryUrl) {
        return new ProjectForm(orEmpty(fields.getFirst("name")), repositoryUrl, orEmpty(fields.getFirst("branch")),
                orEmpty(fields.getFirst("rootDirectory")), orEmpty(fields.getFirst("installCommand")),
                orEmpty(fields.getFirst("buildCommand")), orEmpty(fields.getFirst("outputDirectory")),
                fields.containsKey("spa"));
    }

    private static ProjectForm formOf(Project p) {
        return new ProjectForm(p.name(), p.repositoryUrl(), p.branch(), p.rootDirectory(), p.installCommand(),
                p.buildCommand(), p.outputDirectory(), p.spa());
    }

    private static Map<String, Object> formModel(ProjectForm form) {
        var model = new HashMap<String, Object>();
        model.put("name", orEmpty(form.name()));
        model.put("repositoryUrl", orEmpty(form.repositoryUrl()));
        model.put("branch", orEmpty(form.branch()));
        model.put("rootDirectory", orEmpty(form.rootDirectory()));
        model.put("installCommand", orEmpty(form.installCommand()));
        model.put("buildCommand", orEmpty(form.buildCommand()));
        model.put("outputDirectory", orEmpty(form.outputDirectory()));
        model.put("spa", Boolean.TRUE.equals(form.spa()));
        return model;
    }

    private static String orEmpty(Integer value) {
        return value == null ? "" : value.toString();
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }
}
