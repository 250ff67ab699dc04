package io.miaobu.server.cert;

import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.web.PageRenderer;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.util.Map;
import org.glassfish.jersey.server.ContainerRequest;

/** Every certificate for admins: its domain, issuer, expiry, last renewal attempt and error. */
@Path("admin/certificates")
@Produces(MediaType.TEXT_HTML)
@Allow(Permission.ADMIN)
public final class CertificateAdminPages {

    private final CertificateService certificates;
    private final PageRenderer pages;
    private final Clock clock;

    public CertificateAdminPages(CertificateService certificates, PageRenderer pages, Clock clock) {
        this.certificates = certificates;
        this.pages = pages;
        this.clock = clock;
    }

    @GET
    public Response page(@Context ContainerRequest request) {
        var rows = certificates.store().all().stream()
                .map(c -> CertificatePages.model(CertificateView.of(c), clock.instant())).toList();
        return pages.render(request, "admin-certificates", Map.of("certificates", rows,
                "issuer", certificates.issuer().map(i -> i.id()).orElse("")));
    }
}
