package io.miaobu.server.cert;

import io.miaobu.server.auth.AccessFilter;
import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.web.UserFacingException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.glassfish.jersey.server.ContainerRequest;

/**
 * A domain's certificate in the API. Its own root, deeper than the domains resource, so that JAX-RS picks it for these
 * paths only.
 */
@Path("api/v1/projects/{projectId}/domains/{domainId}/certificate")
@Produces(MediaType.APPLICATION_JSON)
public final class CertificatesApi {

    /** The most a PEM field may hold; a chain of a few certificates is a few KiB. */
    static final int MAX_PEM_CHARS = 64 * 1024;

    private final CertificateService certificates;

    public CertificatesApi(CertificateService certificates) {
        this.certificates = certificates;
    }

    @GET
    @Allow(Permission.PROJECT_VIEW)
    public CertificateView get(@PathParam("projectId") long projectId, @PathParam("domainId") long domainId) {
        return certificates.view(projectId, domainId);
    }

    /** Orders a certificate now (also to replace an uploaded one, or to renew early): 202, the scheduler does it. */
    @POST
    @Allow(Permission.PROJECT_CONFIGURE)
    public Response request(@PathParam("projectId") long projectId, @PathParam("domainId") long domainId,
                            @Context ContainerRequest request) {
        certificates.requestNow(projectId, domainId, AccessFilter.actor(request));
        return Response.accepted(certificates.view(projectId, domainId)).build();
    }

    /**
     * Uploads a certificate: {@code {"certificate": "<PEM chain>", "privateKey": "<PEM key>"}}; 400 with the reason
     * when the key does not match, the names do not cover the domain, the chain is broken or it is out of date.
     */
    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    @Allow(Permission.PROJECT_CONFIGURE)
    public CertificateView upload(@PathParam("projectId") long projectId, @PathParam("domainId") long domainId,
                                  CertificateUpload body, @Context ContainerRequest request) {
        if (body == null || body.certificate() == null || body.certificate().isBlank()) {
            throw UserFacingException.invalid("certificate", "Send the certificate chain as PEM in \"certificate\".");
        }
        if (body.privateKey() == null || body.privateKey().isBlank()) {
            throw UserFacingException.invalid("privateKey", "Send the private key as PEM in \"privateKey\".");
        }
        certificates.upload(projectId, domainId, body.certificate(), body.privateKey(),
                AccessFilter.actor(request));
        return certificates.view(projectId, domainId);
    }

    /** Forgets the certificate and stops serving it (an automatic one is requested again if automatic certificates apply). */
    @DELETE
    @Allow(Permission.PROJECT_CONFIGURE)
    public Response remove(@PathParam("projectId") long projectId, @PathParam("domainId") long domainId,
                           @Context ContainerRequest request) {
        certificates.remove(projectId, domainId, AccessFilter.actor(request));
        return Response.noContent().build();
    }

    public record CertificateUpload(String certificate, String privateKey) {
    }
}
