package io.miaobu.server.auth;

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
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.Map;
import org.glassfish.jersey.server.ContainerRequest;

/** First-run setup, sign-in and sign-out pages. */
@Path("")
@Produces(MediaType.TEXT_HTML)
@Allow(Audience.PUBLIC)
public final class AuthPages {

    private final AccountService accounts;
    private final SessionTokens tokens;
    private final PageRenderer pages;
    private final boolean secureCookies;

    public AuthPages(AccountService accounts, SessionTokens tokens, PageRenderer pages, boolean secureCookies) {
        this.accounts = accounts;
        this.tokens = tokens;
        this.pages = pages;
        this.secureCookies = secureCookies;
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
            return signedIn(admin, "/", "Welcome to Miaobu, " + admin.username() + ".");
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
        return pages.render(request, "login", Map.of("errors", Map.of(), "form", Map.of("username", ""),
                "next", safeNext(next)));
    }

    @POST
    @Path("login")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response login(@FormParam("username") String username, @FormParam("password") String password,
                          @FormParam("next") @DefaultValue("") String next, @Context ContainerRequest request) {
        return accounts.authenticate(username, password)
                .map(user -> signedIn(user, safeNext(next), null))
                .orElseGet(() -> pages.render(request, "login", Map.of(
                        "errors", Map.of("_form", "Wrong username or password."),
                        "form", Map.of("username", username == null ? "" : username),
                        "next", safeNext(next)), 401));
    }

    @POST
    @Path("logout")
    public Response logout() {
        return Response.seeOther(URI.create("/login")).cookie(sessionCookie("", 0)).build();
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

    private Response signedIn(User user, String next, String flash) {
        Response redirect = pages.redirect(next.isEmpty() ? "/" : next, flash);
        return Response.fromResponse(redirect)
                .cookie(sessionCookie(tokens.issue(user), (int) tokens.ttl().toSeconds()))
                .build();
    }

    private NewCookie sessionCookie(String value, int maxAge) {
        return new NewCookie.Builder(AccessFilter.SESSION_COOKIE).value(value).path("/").maxAge(maxAge)
                .httpOnly(true).secure(secureCookies).sameSite(NewCookie.SameSite.LAX).build();
    }

    /** Only a path on this server: never another host (no open redirect). */
    static String safeNext(String next) {
        if (next == null || !next.startsWith("/") || next.startsWith("//") || next.contains("\\")
                || next.chars().anyMatch(Character::isISOControl)) {
            return "";
        }
        return next;
    }
}
