package io.miaobu.server.cert;

import io.miaobu.server.auth.AccessFilter;
import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.auth.ProjectRole;
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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.glassfish.jersey.server.ContainerRequest;

/** A custom domain's certificate page: what is served, its renewal, "Get a certificate now", and uploading one. */
@Path("projects/{projectId}/domains/{domainId}/certificate")
@Produces(MediaType.TEXT_HTML)
public final class CertificatePages {

    private final CertificateService certificates;
    private final ProjectService projects;
    private final PageRenderer pages;
    private final SiteUrls siteUrls;
    private final Clock clock;

    public CertificatePages(CertificateService certificates, ProjectService projects, PageRenderer pages,
                            SiteUrls siteUrls, Clock clock) {
        this.certificates = certificates;
        this.projects = projects;
        this.pages = pages;
        this.siteUrls = siteUrls;
        this.clock = clock;
    }

    @GET
    @Allow(Permission.PROJECT_VIEW)
    public Response page(@PathParam("projectId") long projectId, @PathParam("domainId") long domainId,
                         @Context ContainerRequest request) {
        return page(request, projectId, domainId, Map.of(), "", 200);
    }

    @POST
    @Path("request")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Allow(Permission.PROJECT_CONFIGURE)
    public Response request(@PathParam("projectId") long projectId, @PathParam("domainId") long domainId,
                            @Context ContainerRequest request) {
        try {
            var row = certificates.requestNow(projectId, domainId, AccessFilter.actor(request));
            return pages.redirect(here(projectId, domainId), "A certificate for " + row.host()
                    + " is being ordered. This page shows the result in a minute.");
        } catch (UserFacingException e) {
            if (e.status() == 404) {
                throw e;
            }
            return page(request, projectId, domainId, PageRenderer.errorsOf(e), "", e.status());
        }
    }

    @POST
    @Path("upload")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Allow(Permission.PROJECT_CONFIGURE)
    public Response upload(@PathParam("projectId") long projectId, @PathParam("domainId") long domainId,
                           @FormParam("certificate") String certificate, @FormParam("privateKey") String privateKey,
                           @Context ContainerRequest request) {
        try {
            if (certificate == null || certificate.isBlank()) {
                throw UserFacingException.invalid("certificate", "Paste the certificate chain (PEM).");
            }
            if (privateKey == null || privateKey.isBlank()) {
                throw UserFacingException.invalid("privateKey", "Paste the private key (PEM).");
            }
            var row = certificates.upload(projectId, domainId, certificate, privateKey, AccessFilter.actor(request));
            return pages.redirect(here(projectId, domainId), "The uploaded certificate for " + row.host()
                    + " is served now.");
        } catch (UserFacingException e) {
            if (e.status() == 404) {
                throw e;
            }
            // the key is never shown again; the certificate is public and saves pasting it twice
            String echo = certificate == null || certificate.length() > CertificatesApi.MAX_PEM_CHARS ? ""
                    : certificate;
            return page(request, projectId, domainId, PageRenderer.errorsOf(e), echo, e.status());
        }
    }

    @POST
    @Path("delete")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Allow(Permission.PROJECT_CONFIGURE)
    public Response remove(@PathParam("projectId") long projectId, @PathParam("domainId") long domainId,
                           @Context ContainerRequest request) {
        String host = certificates.view(projectId, domainId).domain();
        certificates.remove(projectId, domainId, AccessFilter.actor(request));
        return pages.redirect(here(projectId, domainId), "Removed the certificate of " + host + ".");
    }

    private static String here(long projectId, long domainId) {
        return "/projects/" + projectId + "/domains/" + domainId + "/certificate";
    }

    private Response page(ContainerRequest request, long projectId, long domainId, Map<String, String> errors,
                          String certificateInput, int status) {
        Project project = projects.get(projectId);
        CertificateView view = certificates.view(projectId, domainId);
        ProjectRole role = AccessFilter.projectRole(request);
        var model = new HashMap<String, Object>();
        model.put("project", ProjectPages.summaryOf(project, siteUrls));
        model.put("domain", Map.of("id", domainId, "host", view.domain()));
        model.put("certificate", model(view, clock.instant()));
        model.put("canIssue", certificates.canIssue());
        model.put("canEdit", role != null && role.atLeast(Permission.PROJECT_CONFIGURE.minimumRole()));
        model.put("errors", errors);
        model.put("form", Map.of("certificate", certificateInput));
        return pages.render(request, "domain-certificate", model, status);
    }

    /** A certificate as the pages show it: dates in words, how many days are left. */
    static Map<String, Object> model(CertificateView c, Instant now) {
        var model = new HashMap<String, Object>();
        model.put("domain", c.domain());
        model.put("domainId", c.domainId());
        model.put("projectId", c.projectId());
        model.put("status", c.status());
        model.put("source", c.source() == null ? "" : c.source());
        model.put("issuer", c.issuer() == null ? "" : c.issuer());
        model.put("issuedBy", c.issuedBy() == null ? "" : c.issuedBy());
        model.put("names", String.join(", ", c.names()));
        model.put("serial", c.serial() == null ? "" : c.serial());
        model.put("notBefore", date(c.notBefore()));
        model.put("notAfter", date(c.notAfter()));
        model.put("notAfterIso", c.notAfter() == null ? "" : Formats.iso(c.notAfter()));
        model.put("daysLeft", c.notAfter() == null ? "" : Long.toString(Duration.between(now, c.notAfter()).toDays()));
        model.put("expired", c.notAfter() != null && !c.notAfter().isAfter(now));
        model.put("issuedAt", date(c.issuedAt()));
        model.put("nextAttemptAt", date(c.nextAttemptAt()));
        model.put("failedAttempts", c.failedAttempts());
        model.put("lastAttemptAt", date(c.lastAttemptAt()));
        model.put("lastError", c.lastError() == null ? "" : c.lastError());
        model.put("cdnInstalledAt", date(c.cdnInstalledAt()));
        model.put("cdnError", c.cdnError() == null ? "" : c.cdnError());
        return model;
    }

    private static String date(Instant instant) {
        return instant == null ? "" : Formats.dateTime(instant);
    }
}
