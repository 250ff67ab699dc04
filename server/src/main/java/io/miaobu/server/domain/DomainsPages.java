package io.miaobu.server.domain;

import io.miaobu.server.auth.AccessFilter;
import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.auth.ProjectRole;
import io.miaobu.server.boot.DomainConfig;
import io.miaobu.server.deploy.SiteUrls;
import io.miaobu.server.project.Project;
import io.miaobu.server.project.ProjectPages;
import io.miaobu.server.project.ProjectService;
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
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.glassfish.jersey.server.ContainerRequest;

/** A project's "Domains" tab: the DNS records to create, each domain's status, and the forms to manage them. */
@Path("projects/{projectId}/domains")
public final class DomainsPages {

    private final CustomDomains domains;
    private final ProjectService projects;
    private final PageRenderer pages;
    private final SiteUrls siteUrls;
    private final List<String> addresses;
    private final java.util.function.LongFunction<Map<Long, String>> certificateStatuses;

    /**
     * @param certificateStatuses a project's domains' certificate states (domain id → {@code PENDING}, {@code ISSUED},
     *                            {@code FAILED}); a domain without one is absent
     */
    public DomainsPages(CustomDomains domains, ProjectService projects, PageRenderer pages, SiteUrls siteUrls,
                        DomainConfig settings, java.util.function.LongFunction<Map<Long, String>> certificateStatuses) {
        this.certificateStatuses = certificateStatuses;
        this.domains = domains;
        this.projects = projects;
        this.pages = pages;
        this.siteUrls = siteUrls;
        this.addresses = settings.addresses().stream().map(InetAddress::getHostAddress).toList();
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    @Allow(Permission.PROJECT_VIEW)
    public Response page(@PathParam("projectId") long projectId, @Context ContainerRequest request) {
        return page(request, projectId, Map.of(), "", 200);
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    @Allow(Permission.PROJECT_CONFIGURE)
    public Response add(@PathParam("projectId") long projectId, @FormParam("domain") String domain,
                        @Context ContainerRequest request) {
        projects.get(projectId);
        try {
            var added = domains.add(projectId, domain, AccessFilter.actor(request));
            return pages.redirect(here(projectId), "Added " + added.host() + ". Create its DNS records, then check.");
        } catch (UserFacingException e) {
            if (e.status() == 404) {
                throw e;
            }
            return page(request, projectId, PageRenderer.errorsOf(e), domain == null ? "" : domain, e.status());
        }
    }

    @POST
    @Path("{domainId}/delete")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    @Allow(Permission.PROJECT_CONFIGURE)
    public Response remove(@PathParam("projectId") long projectId, @PathParam("domainId") long domainId,
                           @Context ContainerRequest request) {
        String host = domains.get(projectId, domainId).host();
        domains.remove(projectId, domainId, AccessFilter.actor(request));
        return pages.redirect(here(projectId), "Removed " + host + ".");
    }

    @POST
    @Path("{domainId}/primary")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    @Allow(Permission.PROJECT_CONFIGURE)
    public Response primary(@PathParam("projectId") long projectId, @PathParam("domainId") long domainId,
                            @Context ContainerRequest request) {
        var domain = domains.makePrimary(projectId, domainId, AccessFilter.actor(request));
        return pages.redirect(here(projectId), domain.host() + " is the primary domain.");
    }

    @POST
    @Path("{domainId}/redirect")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    @Allow(Permission.PROJECT_CONFIGURE)
    public Response redirect(@PathParam("projectId") long projectId, @PathParam("domainId") long domainId,
                             @FormParam("redirect") String redirect, @Context ContainerRequest request) {
        boolean on = "true".equals(redirect);
        try {
            var domain = domains.setRedirect(projectId, domainId, on, AccessFilter.actor(request));
            return pages.redirect(here(projectId), domain.host()
                    + (on ? " redirects to the primary domain." : " is served without redirect."));
        } catch (UserFacingException e) {
            if (e.status() == 404) {
                throw e;
            }
            return page(request, projectId, PageRenderer.errorsOf(e), "", e.status());
        }
    }

    @POST
    @Path("{domainId}/check")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    @Allow(Permission.PROJECT_CONFIGURE)
    public Response check(@PathParam("projectId") long projectId, @PathParam("domainId") long domainId) {
        var domain = domains.check(projectId, domainId);
        return pages.redirect(here(projectId), "Checked " + domain.host() + ".");
    }

    private static String here(long projectId) {
        return "/projects/" + projectId + "/domains";
    }

    private Response page(ContainerRequest request, long projectId, Map<String, String> errors, String domainInput,
                          int status) {
        Project project = projects.get(projectId);
        String target = domains.cnameTarget(project.slug());
        Map<Long, String> certificates = certificateStatuses.apply(projectId);
        var rows = domains.list(projectId).stream().map(d -> {
            var row = new HashMap<String, Object>();
            row.put("certificate", certificates.getOrDefault(d.id(), "NONE"));
            String cname = domains.cnameTarget(d, project.slug());
            row.put("cname", cname == null ? "" : cname);
            row.put("onCdn", d.onCdn());
            row.put("cdnName", d.onCdn() ? domains.cdnName(d) : "");
            row.put("cdnStatus", d.onCdn() && d.cdn().status() != null ? d.cdn().status().name() : "");
            row.put("cdnMessage", d.onCdn() && d.cdn().message() != null ? d.cdn().message() : "");
            row.put("cdnError", d.onCdn() && d.cdn().error() != null ? d.cdn().error() : "");
            row.put("id", d.id());
            row.put("host", d.host());
            row.put("status", d.status().name());
            row.put("reason", d.reason() == null ? "" : d.reason());
            row.put("primary", d.primary());
            row.put("redirect", d.redirectToPrimary());
            row.put("txtName", d.challengeName());
            row.put("txtValue", d.token());
            row.put("apex", d.host().chars().filter(c -> c == '.').count() == 1);
            row.put("checkedAt", d.checkedAt() == null ? "" : Formats.dateTime(d.checkedAt()));
            return row;
        }).toList();
        ProjectRole role = AccessFilter.projectRole(request);
        return pages.render(request, "project-domains", Map.of(
                "project", ProjectPages.summaryOf(project, siteUrls),
                "domains", rows,
                "cnameTarget", target,
                "addresses", addresses,
                "canEdit", role != null && role.atLeast(Permission.PROJECT_CONFIGURE.minimumRole()),
                "errors", errors,
                "form", Map.of("domain", domainInput)), status);
    }
}
