package io.miaobu.server.identity;

import io.miaobu.api.ExtensionException;
import io.miaobu.api.identity.AuthorizationRequest;
import io.miaobu.api.identity.AuthorizationResponse;
import io.miaobu.api.identity.ExternalIdentity;
import io.miaobu.api.identity.IdentityProvider;
import io.miaobu.server.audit.Actor;
import io.miaobu.server.audit.AuditAction;
import io.miaobu.server.audit.AuditLog;
import io.miaobu.server.auth.AccessFilter;
import io.miaobu.server.auth.AccountService;
import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.AuthPages;
import io.miaobu.server.auth.Caller;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.auth.SessionCookies;
import io.miaobu.server.auth.SessionService;
import io.miaobu.server.ratelimit.ClientAddress;
import io.miaobu.server.ratelimit.RateLimitPolicies;
import io.miaobu.server.ratelimit.RateLimited;
import io.miaobu.server.web.PageRenderer;
import io.miaobu.server.web.UserFacingException;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.glassfish.jersey.server.ContainerRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signing in (or connecting an account) through an {@link IdentityProvider}: the OAuth authorization-code flow with
 * PKCE and a {@code state} bound to the browser by {@link SignInAttempts}. The start sends the browser to the
 * provider; the provider sends it back to the callback, which checks the state, has the provider exchange the code,
 * and signs the user in with a session like a password sign-in's.
 */
@Path("auth")
@Produces(MediaType.TEXT_HTML)
@Allow(Permission.PUBLIC)
public final class ExternalSignInPages {

    private static final Logger LOG = LoggerFactory.getLogger(ExternalSignInPages.class);

    private final IdentityProviders providers;
    private final ExternalIdentities identities;
    private final SignInAttempts attempts;
    private final AccountService accounts;
    private final SessionService sessions;
    private final SessionCookies cookies;
    private final PageRenderer pages;
    private final AuditLog audit;
    private final URI publicUrl;

    public ExternalSignInPages(IdentityProviders providers, ExternalIdentities identities, SignInAttempts attempts,
                               AccountService accounts, SessionService sessions, SessionCookies cookies,
                               PageRenderer pages, AuditLog audit, URI publicUrl) {
        this.providers = providers;
        this.identities = identities;
        this.attempts = attempts;
        this.accounts = accounts;
        this.sessions = sessions;
        this.cookies = cookies;
        this.pages = pages;
        this.audit = audit;
        this.publicUrl = publicUrl;
    }

    /** Sends the browser to the provider. {@code intent=link} connects the account to the signed-in user. */
    @GET
    @Path("{providerId}/start")
    @RateLimited(RateLimitPolicies.LOGIN)
    public Response start(@PathParam("providerId") String providerId,
                          @QueryParam("next") @DefaultValue("") String next,
                          @QueryParam("intent") @DefaultValue("") String intent,
                          @Context ContainerRequest request) {
        IdentityProvider provider = installed(providerId);
        if (!providers.isConfigured(provider)) {
            throw UserFacingException.conflict("Signing in with " + provider.displayName() + " is not set up yet:"
                    + " an admin fills in its settings first.");
        }
        Caller caller = AccessFilter.caller(request);
        boolean link = intent.equals("link");
        if (link && (caller == null || caller.sessionId() == null)) {
            return Response.seeOther(URI.create("/login?next=" + URLEncoder.encode("/account",
                    StandardCharsets.UTF_8))).build();
        }
        SignInAttempts.Attempt attempt = attempts.begin(provider.id(),
                link ? SignInAttempts.Intent.LINK : SignInAttempts.Intent.SIGN_IN,
                link ? caller.sessionId() : null, AuthPages.safeNext(next));
        URI target;
        try {
            target = provider.authorizationUri(new AuthorizationRequest(providers.settingsOf(provider),
                    redirectUri(provider.id()), attempt.state(), attempt.challenge()));
        } catch (ExtensionException e) {
            LOG.warn("Identity provider {} could not start a sign-in: {}", provider.id(), e.getMessage(), e);
            return pages.redirect(link ? "/account" : "/login", e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("Identity provider {} failed to start a sign-in", provider.id(), e);
            return pages.redirect(link ? "/account" : "/login", failed(provider));
        }
        return Response.status(Response.Status.FOUND).location(target).cookie(attempts.cookie(attempt))
                .header("Cache-Control", "no-store").build();
    }

    /** Where the provider sends the browser back: checks the state, then signs in or connects. */
    @GET
    @Path("{providerId}/callback")
    @RateLimited(RateLimitPolicies.LOGIN)
    public Response callback(@PathParam("providerId") String providerId, @QueryParam("code") String code,
                             @QueryParam("state") String state, @QueryParam("error") String error,
                             @Context ContainerRequest request) {
        Response response = completed(providerId, code, state, error, request);
        // one use: whatever became of it, the attempt is gone from this browser
        return Response.fromResponse(response).cookie(attempts.cleared()).build();
    }

    private Response completed(String providerId, String code, String state, String error,
                               ContainerRequest request) {
        Actor actor = AccessFilter.actor(request);
        Cookie cookie = request.getCookies().get(SignInAttempts.COOKIE);
        SignInAttempts.Attempt attempt;
        try {
            attempt = attempts.check(cookie == null ? null : cookie.getValue(), providerId, state);
        } catch (SignInAttempts.Refused refused) {
            return refuse(providerId, refused.getMessage(), actor, request);
        }
        boolean link = attempt.intent() == SignInAttempts.Intent.LINK;
        String back = link ? "/account" : "/login";
        IdentityProvider provider = installed(providerId);
        if (error != null) {
            String name = provider.displayName();
            return pages.redirect(back, error.equals("access_denied")
                    ? (link ? "You cancelled connecting your " + name + " account."
                            : "You cancelled signing in with " + name + ".")
                    : name + " did not sign you in (" + shortCode(error) + "). Try again.");
        }
        if (code == null || code.isBlank()) {
            return refuse(providerId, "the provider sent no authorization code", actor, request);
        }
        Caller caller = AccessFilter.caller(request);
        if (link && (caller == null || !attempt.sessionId().equals(caller.sessionId()))) {
            return refuse(providerId, "the account was to be connected in a session that is no longer signed in",
                    actor, request);
        }
        ExternalIdentity identity;
        try {
            identity = provider.complete(new AuthorizationResponse(providers.settingsOf(provider),
                    redirectUri(providerId), code, attempt.verifier()));
        } catch (ExtensionException e) {
            LOG.warn("Identity provider {} refused a sign-in: {}", providerId, e.getMessage(), e);
            return pages.redirect(back, e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("Identity provider {} failed to complete a sign-in", providerId, e);
            return pages.redirect(back, failed(provider));
        }
        if (identity == null || isBlank(identity.externalId()) || isBlank(identity.login())) {
            LOG.warn("Identity provider {} answered a sign-in without an id or login", providerId);
            return pages.redirect(back, failed(provider));
        }
        if (link) {
            try {
                identities.link(caller.user(), providerId, identity, actor);
            } catch (UserFacingException e) {
                return pages.redirect("/account", e.getMessage());
            }
            return pages.redirect("/account", "Connected your " + provider.displayName() + " account "
                    + identity.login() + ".");
        }
        if (accounts.needsSetup()) {
            return Response.seeOther(URI.create("/setup")).build();
        }
        ExternalIdentities.SignedIn signedIn;
        try {
            signedIn = identities.signIn(providerId, identity, actor);
        } catch (UserFacingException e) {
            return pages.redirect("/login", e.getMessage());
        }
        var tokens = sessions.start(signedIn.user(), ClientAddress.of(request), request.getHeaderString("User-Agent"));
        String next = attempt.next().isEmpty() ? "/" : attempt.next();
        return cookies.signedIn(pages.redirect(next, signedIn.created()
                ? "Welcome to Miaobu, " + signedIn.user().username() + ". Your account was made from your "
                        + provider.displayName() + " account." : null), tokens);
    }

    private Response refuse(String providerId, String reason, Actor actor, ContainerRequest request) {
        audit.record(actor, AuditAction.EXTERNAL_SIGN_IN_REFUSED, "provider:" + providerId, reason);
        return pages.render(request, "error", Map.of("status", 400, "message", "Signing in was refused: " + reason
                + ". Start again from the sign-in page."), 400);
    }

    private IdentityProvider installed(String providerId) {
        return providers.find(providerId).orElseThrow(() -> UserFacingException.notFound(
                "There is no identity provider '" + providerId + "' installed."));
    }

    private URI redirectUri(String providerId) {
        return publicUrl.resolve("auth/" + URLEncoder.encode(providerId, StandardCharsets.UTF_8) + "/callback");
    }

    private static String failed(IdentityProvider provider) {
        return "Signing in with " + provider.displayName() + " failed. Try again, or ask an admin to look at the"
                + " server log.";
    }

    /** The provider's error code as a short word: it comes from the query string. */
    private static String shortCode(String error) {
        String word = error.replaceAll("[^A-Za-z0-9_]", "");
        return word.length() > 40 ? word.substring(0, 40) : word;
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
