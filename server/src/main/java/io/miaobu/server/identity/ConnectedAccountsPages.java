package io.miaobu.server.identity;

import io.miaobu.server.auth.AccessFilter;
import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.auth.User;
import io.miaobu.server.web.PageRenderer;
import io.miaobu.server.web.UserFacingException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.glassfish.jersey.server.ContainerRequest;

/** The account page's "Connected accounts" actions; connecting goes through {@link ExternalSignInPages}. */
@Path("account/identities")
@Produces(MediaType.TEXT_HTML)
@Allow(Permission.SIGNED_IN)
public final class ConnectedAccountsPages {

    private final ExternalIdentities identities;
    private final IdentityProviders providers;
    private final PageRenderer pages;

    public ConnectedAccountsPages(ExternalIdentities identities, IdentityProviders providers, PageRenderer pages) {
        this.identities = identities;
        this.providers = providers;
        this.pages = pages;
    }

    @POST
    @Path("{providerId}/disconnect")
    public Response disconnect(@PathParam("providerId") String providerId, @Context ContainerRequest request) {
        User user = AccessFilter.currentUser(request);
        String name = providers.displayName(providerId);
        try {
            var linked = identities.unlink(user, providerId, AccessFilter.actor(request));
            List<String> orphaned = identities.projectsActingWith(user.id(), providerId);
            return pages.redirect("/account", "Disconnected your " + name + " account " + linked.login() + "."
                    + (orphaned.isEmpty() ? "" : " These projects fetched with it and cannot reach " + name
                    + " until you connect it again (or someone imports them anew): " + String.join(", ", orphaned)
                    + "."));
        } catch (UserFacingException e) {
            if (e.status() == 404) {
                throw e;
            }
            return pages.redirect("/account", e.getMessage());
        }
    }
}
