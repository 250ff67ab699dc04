package io.miaobu.server.auth;

import io.miaobu.server.identity.IdentityProviders;
import io.miaobu.server.ratelimit.ClientAddress;
import io.miaobu.server.ratelimit.RateLimited;
import io.miaobu.server.web.PageRenderer;
import io.miaobu.server.web.UserFacingException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.Map;
import org.glassfish.jersey.server.ContainerRequest;

/** First-run setup, sign-in and sign-out pages. */
@Path("")
@Produces(MediaType.TEXT_HTML)
@Allow(Permission.PUBLIC)
public final class AuthPages {

    private final AccountService accounts;
    private final SignIns signIns;
    private final SessionService sessions;
    private final SessionCookies cookies;
    private final PageRenderer pages;
    private final IdentityProviders identityProviders;

    public AuthPages(AccountService accounts, SignIns signIns, SessionService sessions, SessionCookies cookies,
                     PageRenderer pages, IdentityProviders identityProviders) {
        this.identityProviders = identityProviders;
        this.accounts = accounts;
        this.signIns = signIns;
        this.sessions = sessions;
        this.cookies = cookies;
        this.pages = pages;
    }

    @GET
    @Path("setup")
    public Response setupForm(@Context ContainerRequest request) {
        if (!accounts.needsSetup()) {
            return Response.seeOther(URI.create("/login")).build();
        }
        return setupPage(request, Map.of(), "");
    }

    @POST
    @Path("setup")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response setup(@FormParam("setupToken") String token, @FormParam("username") String username,
                          @FormParam("password") String password, @FormParam("passwordConfirm") String confirm,
                          @Context ContainerRequest request) {
        try {
            User admin = accounts.completeSetup(token, username, password, confirm);
            var tokens = sessions.start(admin, ClientAddress.of(request), request.getHeaderString("User-Agent"));
            return signedIn(tokens, "/", "Welcome to Miaobu, " + admin.username() + ".");
        } catch (UserFacingException e) {
            if (e.status() == 409) {
                return Response.seeOther(URI.create("/login")).build();
            }
            return setupPage(request, PageRenderer.errorsOf(e), username, e.status());
        }
    }

    @GET
    @Path("login")
    public Response loginForm(@QueryParam("next") @DefaultValue("") String next, @Context ContainerRequest request) {
        if (accounts.needsSetup()) {
            return Response.seeOther(URI.create("/setup")).build();
        }
        if (AccessFilter.caller(request) != null) {
            // already signed in (perhaps by a refresh another request of the same page made)
            String target = safeNext(next);
            return Response.seeOther(URI.create(target.isEmpty() ? "/" : target)).build();
        }
        return pages.render(request, "login", Map.of("errors", Map.of(), "form", Map.of("username", ""),
                "next", safeNext(next), "identityProviders", offeredProviders()));
    }

    @POST
    @Path("login")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RateLimited("login")
    public Response login(@FormParam("username") String username, @FormParam("password") String password,
                          @FormParam("next") @DefaultValue("") String next, @Context ContainerRequest request) {
        try {
            var tokens = signIns.signIn(username, password, request.getHeaderString("User-Agent"), request);
            return signedIn(tokens, safeNext(next), null);
        } catch (UserFacingException e) {
            if (e.status() == 429) {
                throw e;
            }
            return pages.render(request, "login", Map.of(
                    "errors", Map.of("_form", e.getMessage()),
                    "form", Map.of("username", username == null ? "" : username),
                    "next", safeNext(next), "identityProviders", offeredProviders()), e.status());
        }
    }

    /** Ends the session server-side and clears the cookies; harmless without a session. */
    @POST
    @Path("logout")
    public Response logout(@Context ContainerRequest request) {
        Caller caller = AccessFilter.caller(request);
        if (caller != null) {
            signIns.signOut(caller, AccessFilter.actor(request));
        } else {
            // the access cookie has expired: end the session its refresh cookie belongs to
            var refresh = request.getCookies().get(AccessFilter.REFRESH_COOKIE);
            if (refresh != null) {
                sessions.endByRefreshToken(refresh.getValue(), "signed out");
            }
        }
        var redirect = Response.seeOther(URI.create("/login"));
        cookies.signedOut().forEach(redirect::cookie);
        return redirect.build();
    }

    private Response setupPage(ContainerRequest request, Map<String, String> errors, String username) {
        return setupPage(request, errors, username, 200);
    }

    private Response setupPage(ContainerRequest request, Map<String, String> errors, String username, int status) {
        return pages.render(request, "setup", Map.of(
                "errors", errors,
                "form", Map.of("username", username == null ? "" : username),
                "tokenPath", accounts.setupTokenFile().toString()), status);
    }

    private Response signedIn(SessionService.Tokens tokens, String next, String flash) {
        return cookies.signedIn(pages.redirect(next.isEmpty() ? "/" : next, flash), tokens);
    }

    /** The "Sign in with …" buttons. */
    private java.util.List<Map<String, String>> offeredProviders() {
        return identityProviders.configured().stream()
                .map(p -> Map.of("id", p.id(), "displayName", p.displayName())).toList();
    }

    /** Only a path on this server: never another host (no open redirect). */
    public static String safeNext(String next) {
        if (next == null || !next.startsWith("/") || next.startsWith("//") || next.contains("\\")
                || next.chars().anyMatch(Character::isISOControl)) {
            return "";
        }
        return next;
    }
}
