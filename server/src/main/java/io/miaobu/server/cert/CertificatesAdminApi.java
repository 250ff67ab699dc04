package io.miaobu.server.cert;

import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.web.Listing;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Every custom domain's certificate, for admins. */
@Path("api/v1/admin/certificates")
@Produces(MediaType.APPLICATION_JSON)
@Allow(Permission.ADMIN)
public final class CertificatesAdminApi {

    private final CertificateService certificates;

    public CertificatesAdminApi(CertificateService certificates) {
        this.certificates = certificates;
    }

    /** Soonest expiry first, with the issuer, the last renewal attempt and its error. */
    @GET
    public Listing<CertificateView> all() {
        return new Listing<>(certificates.store().all().stream().map(CertificateView::of).toList(), false);
    }
}
