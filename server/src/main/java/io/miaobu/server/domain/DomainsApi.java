package io.miaobu.server.domain;

import io.miaobu.server.auth.AccessFilter;
import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.project.ProjectService;
import io.miaobu.server.web.Listing;
import io.miaobu.server.web.UserFacingException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import org.glassfish.jersey.server.ContainerRequest;

/** A project's custom domains in the API. */
@Path("api/v1/projects/{projectId}/domains")
@Produces(MediaType.APPLICATION_JSON)
public final class DomainsApi {

    private final CustomDomains domains;
    private final ProjectService projects;

    public DomainsApi(CustomDomains domains, ProjectService projects) {
        this.domains = domains;
        this.projects = projects;
    }

    @GET
    @Allow(Permission.PROJECT_VIEW)
    public Listing<DomainView> list(@PathParam("projectId") long projectId) {
        String slug = projects.get(projectId).slug();
        return new Listing<>(domains.list(projectId).stream().map(d -> view(d, slug)).toList(), false);
    }

    /** Adds a domain: {@code {"domain": "www.example.com"}}; 201, or 409 when it is taken. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Allow(Permission.PROJECT_CONFIGURE)
    public Response add(@PathParam("projectId") long projectId, DomainRequest body,
                        @Context ContainerRequest request) {
        String slug = projects.get(projectId).slug();
        var added = domains.add(projectId, body == null ? null : body.domain(), AccessFilter.actor(request));
        return Response.status(201).entity(view(added, slug)).build();
    }

    @GET
    @Path("{domainId}")
    @Allow(Permission.PROJECT_VIEW)
    public DomainView get(@PathParam("projectId") long projectId, @PathParam("domainId") long domainId) {
        return view(domains.get(projectId, domainId), projects.get(projectId).slug());
    }

    /** Changes {@code {"primary": true}} (makes it the primary) and/or {@code {"redirectToPrimary": true|false}}. */
    @PATCH
    @Path("{domainId}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Allow(Permission.PROJECT_CONFIGURE)
    public DomainView change(@PathParam("projectId") long projectId, @PathParam("domainId") long domainId,
                             DomainChange body, @Context ContainerRequest request) {
        String slug = projects.get(projectId).slug();
        if (body == null || (body.primary() == null && body.redirectToPrimary() == null)) {
            throw UserFacingException.invalid("primary", "Send {\"primary\": true} and/or"
                    + " {\"redirectToPrimary\": true|false}.");
        }
        if (Boolean.FALSE.equals(body.primary())) {
            throw UserFacingException.invalid("primary", "Make another domain the primary one instead.");
        }
        CustomDomain domain = domains.get(projectId, domainId);
        if (Boolean.TRUE.equals(body.primary())) {
            domain = domains.makePrimary(projectId, domainId, AccessFilter.actor(request));
        }
        if (body.redirectToPrimary() != null) {
            domain = domains.setRedirect(projectId, domainId, body.redirectToPrimary(), AccessFilter.actor(request));
        }
        return view(domain, slug);
    }

    @DELETE
    @Path("{domainId}")
    @Allow(Permission.PROJECT_CONFIGURE)
    public Response delete(@PathParam("projectId") long projectId, @PathParam("domainId") long domainId,
                           @Context ContainerRequest request) {
        domains.remove(projectId, domainId, AccessFilter.actor(request));
        return Response.noContent().build();
    }

    /** Asks DNS now ("Check now"); answers the domain as it stands afterwards. */
    @POST
    @Path("{domainId}/check")
    @Allow(Permission.PROJECT_CONFIGURE)
    public DomainView check(@PathParam("projectId") long projectId, @PathParam("domainId") long domainId) {
        String slug = projects.get(projectId).slug();
        return view(domains.check(projectId, domainId), slug);
    }

    private DomainView view(CustomDomain domain, String slug) {
        return DomainView.of(domain, domains.cnameTarget(domain, slug), domains.cdnName(domain));
    }

    /**
     * A domain as the API shows it, with the records to create.
     *
     * @param txtName     the TXT record's name; {@code txtValue} its value
     * @param cnameTarget where a CNAME must point; null for a domain a CDN serves until the CDN has named it
     * @param cdn         where the domain stands at the CDN that serves it; null for a domain this server serves
     */
    public record DomainView(long id, String domain, String status, String reason, boolean primary,
                             boolean redirectToPrimary, String txtName, String txtValue, String cnameTarget,
                             CdnView cdn, Instant createdAt, Instant checkedAt) {
        static DomainView of(CustomDomain d, String cnameTarget, String cdnName) {
            CdnBinding b = d.cdn();
            CdnView cdn = b == null ? null : new CdnView(b.provider(), cdnName, b.requestedAt() != null,
                    b.status() == null ? null : b.status().name(), b.message(), b.error());
            return new DomainView(d.id(), d.host(), d.status().name(), d.reason(), d.primary(),
                    d.redirectToPrimary(), d.challengeName(), d.token(), cnameTarget, cdn, d.createdAt(),
                    d.checkedAt());
        }
    }

    /**
     * A domain at its CDN.
     *
     * @param provider  the CDN's extension id; {@code name} its name for people
     * @param requested whether the domain was put on the CDN (which happens once its ownership is proven)
     * @param status    the CDN's own state: {@code CONFIGURING}, {@code ONLINE}, {@code OFFLINE}, {@code FAILED}; null
     *                  before the CDN answered
     * @param message   the CDN's detail, or null
     * @param error     why the last call to the CDN failed, or null
     */
    public record CdnView(String provider, String name, boolean requested, String status, String message,
                          String error) {
    }

    public record DomainRequest(String domain) {
    }

    public record DomainChange(Boolean primary, Boolean redirectToPrimary) {
    }
}
