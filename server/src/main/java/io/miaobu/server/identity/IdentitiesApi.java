package io.miaobu.server.identity;

import io.miaobu.server.auth.AccessFilter;
import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.web.Listing;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import org.glassfish.jersey.server.ContainerRequest;

/** The caller's connected accounts at identity providers; never their tokens. */
@Path("api/v1/account/identities")
@Produces(MediaType.APPLICATION_JSON)
@Allow(Permission.SIGNED_IN)
public final class IdentitiesApi {

    private final ExternalIdentities identities;
    private final IdentityProviders providers;

    public IdentitiesApi(ExternalIdentities identities, IdentityProviders providers) {
        this.identities = identities;
        this.providers = providers;
    }

    public record IdentityView(String provider, String providerName, String login, Instant linkedAt,
                               Instant lastSignInAt) {
    }

    @GET
    public Listing<IdentityView> list(@Context ContainerRequest request) {
        return new Listing<>(identities.list(AccessFilter.currentUser(request).id()).stream()
                .map(l -> new IdentityView(l.provider(), providers.displayName(l.provider()), l.login(), l.linkedAt(),
                        l.lastSignInAt()))
                .toList(), false);
    }

    /** Disconnects one; 409 when it is the caller's only way to sign in (no password). */
    @DELETE
    @Path("{providerId}")
    public Response disconnect(@PathParam("providerId") String providerId, @Context ContainerRequest request) {
        identities.unlink(AccessFilter.currentUser(request), providerId, AccessFilter.actor(request));
        return Response.noContent().build();
    }
}
