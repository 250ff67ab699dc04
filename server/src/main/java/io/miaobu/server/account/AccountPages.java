package io.miaobu.server.account;

import io.miaobu.server.audit.AuditAction;
import io.miaobu.server.audit.AuditLog;
import io.miaobu.server.auth.AccessFilter;
import io.miaobu.server.auth.AccountService;
import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.ApiToken;
import io.miaobu.server.auth.ApiTokenService;
import io.miaobu.server.auth.Caller;
import io.miaobu.server.auth.Permission;
import io.miaobu.server.auth.SessionService;
import io.miaobu.server.auth.User;
import io.miaobu.server.identity.ExternalIdentities;
import io.miaobu.server.identity.IdentityProviders;
import io.miaobu.server.ratelimit.RateLimited;
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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.glassfish.jersey.server.ContainerRequest;

/** The account page: password, sessions, API tokens. */
@Path("account")
@Produces(MediaType.TEXT_HTML)
@Allow(Permission.SIGNED_IN)
public final class AccountPages {

    private final AccountService accounts;
    private final SessionService sessions;
    private final ApiTokenService tokens;
    private final AuditLog audit;
    private final PageRenderer pages;
    private final Clock clock;
    private final ExternalIdentities identities;
    private final IdentityProviders identityProviders;

    public AccountPages(AccountService accounts, SessionService sessions, ApiTokenService tokens, AuditLog audit,
                        PageRenderer pages, Clock clock, ExternalIdentities identities,
                        IdentityProviders identityProviders) {
        this.identities = identities;
        this.identityProviders = identityProviders;
        this.accounts = accounts;
        this.sessions = sessions;
        this.tokens = tokens;
        this.audit = audit;
        this.pages = pages;
        this.clock = clock;
    }

    @GET
    public Response page(@Context ContainerRequest request) {
        return page(request, Map.of(), Map.of(), 200);
    }

    @POST
    @Path("password")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response changePassword(@FormParam("currentPassword") String current, @FormParam("password") String fresh,
                                   @FormParam("passwordConfirm") String confirm, @Context ContainerRequest request) {
        Caller caller = AccessFilter.caller(request);
        try {
            accounts.changePassword(caller.user(), current, fresh, confirm, AccessFilter.actor(request));
        } catch (UserFacingException e) {
            return page(request, PageRenderer.errorsOf(e), Map.of(), e.status());
        }
        int ended = sessions.endAll(caller.user().id(), caller.sessionId(), "password changed");
        return pages.redirect("/account", "Password changed." + (ended > 0
                ? " Your other " + ended + " session(s) were signed out." : ""));
    }

    @POST
    @Path("sessions/{sessionId}/end")
    public Response endSession(@PathParam("sessionId") String sessionId, @Context ContainerRequest request) {
        Caller caller = AccessFilter.caller(request);
        if (!sessions.end(caller.user().id(), sessionId, "ended by its user")) {
            throw UserFacingException.notFound("You have no such session.");
        }
        audit.record(AccessFilter.actor(request), AuditAction.SESSION_ENDED, "user:" + caller.user().username(), null);
        return pages.redirect("/account", "Session signed out.");
    }

    @POST
    @Path("sessions/end-others")
    public Response endOtherSessions(@Context ContainerRequest request) {
        Caller caller = AccessFilter.caller(request);
        int ended = sessions.endAll(caller.user().id(), caller.sessionId(), "ended by its user");
        audit.record(AccessFilter.actor(request), AuditAction.SESSION_ENDED, "user:" + caller.user().username(),
                ended + " other session(s)");
        return pages.redirect("/account", "Signed out " + ended + " other session(s).");
    }

    @POST
    @Path("tokens")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RateLimited("token-create")
    public Response createToken(@FormParam("name") String name, @FormParam("scope") List<String> scopes,
                                @FormParam("expiresInDays") String expiresInDays,
                                @Context ContainerRequest request) {
        User user = AccessFilter.currentUser(request);
        try {
            Instant expiresAt = null;
            if (expiresInDays != null && !expiresInDays.isBlank()) {
                int days;
                try {
                    days = Integer.parseInt(expiresInDays.strip());
                } catch (NumberFormatException e) {
                    days = -1;
                }
                if (days < 1 || days > 3650) {
                    throw UserFacingException.invalid("expiresInDays", "Choose how many days the token lasts.");
                }
                expiresAt = clock.instant().plus(Duration.ofDays(days));
            }
            var created = tokens.create(user, name, ApiTokenService.parseScopes(scopes), expiresAt);
            audit.record(AccessFilter.actor(request), AuditAction.TOKEN_CREATED, "user:" + user.username(),
                    created.token().name() + " (" + created.token().prefix() + "…, "
                            + AccountApi.scopeText(created.token()) + ")");
            var extra = new HashMap<String, Object>();
            extra.put("newToken", created.secret());
            extra.put("newTokenName", created.token().name());
            Response response = page(request, Map.of(), extra, 201);
            // the secret is in this page only: never cache it
            return Response.fromResponse(response).header("Cache-Control", "no-store").build();
        } catch (UserFacingException e) {
            return page(request, PageRenderer.errorsOf(e), Map.of("form", Map.of("name", name == null ? "" : name)),
                    e.status());
        }
    }

    @POST
    @Path("tokens/{tokenId}/revoke")
    public Response revokeToken(@PathParam("tokenId") long tokenId, @Context ContainerRequest request) {
        User user = AccessFilter.currentUser(request);
        ApiToken token = tokens.revoke(user.id(), tokenId)
                .orElseThrow(() -> UserFacingException.notFound("You have no such token."));
        audit.record(AccessFilter.actor(request), AuditAction.TOKEN_REVOKED, "user:" + user.username(),
                token.name() + " (" + token.prefix() + "…)");
        return pages.redirect("/account", "Token revoked.");
    }

    private Response page(ContainerRequest request, Map<String, String> errors, Map<String, Object> extra,
                          int status) {
        Caller caller = AccessFilter.caller(request);
        User user = accounts.get(caller.user().id());
        Instant now = clock.instant();
        var model = new HashMap<String, Object>(extra);
        model.put("errors", errors);
        model.putIfAbsent("form", Map.of("name", ""));
        model.put("user", Map.of("username", user.username(), "role", user.role().name().toLowerCase(Locale.ROOT),
                "createdAt", Formats.dateTime(user.createdAt())));
        model.put("sessions", sessions.listActive(user.id()).stream().map(s -> {
            var row = new HashMap<String, Object>();
            row.put("id", s.id());
            row.put("createdAt", Formats.dateTime(s.createdAt()));
            row.put("lastUsedAt", Formats.dateTime(s.lastUsedAt()));
            row.put("lastUsedAtIso", Formats.iso(s.lastUsedAt()));
            row.put("clientAddress", s.clientAddress());
            row.put("userAgent", s.userAgent());
            row.put("current", s.id().equals(caller.sessionId()));
            return row;
        }).toList());
        model.put("tokens", tokens.list(user.id()).stream().map(t -> {
            var row = new HashMap<String, Object>();
            row.put("id", t.id());
            row.put("name", t.name());
            row.put("prefix", t.prefix());
            row.put("scopes", AccountApi.scopeText(t));
            row.put("createdAt", Formats.dateTime(t.createdAt()));
            row.put("expiresAt", t.expiresAt() == null ? null : Formats.dateTime(t.expiresAt()));
            row.put("lastUsedAt", t.lastUsedAt() == null ? null : Formats.dateTime(t.lastUsedAt()));
            row.put("active", t.isUsableAt(now));
            row.put("revoked", t.revokedAt() != null);
            return row;
        }).toList());
        model.put("hasPassword", accounts.hasPassword(user.id()));
        model.put("identities", connectedAccounts(user));
        return pages.render(request, "account", model, status);
    }

    /** Every provider one can sign in with, and any other the user is still connected to. */
    private List<Map<String, Object>> connectedAccounts(User user) {
        var linked = new java.util.LinkedHashMap<String, ExternalIdentities.Linked>();
        identities.list(user.id()).forEach(l -> linked.put(l.provider(), l));
        var rows = new java.util.ArrayList<Map<String, Object>>();
        for (IdentityProviders.Offered provider : identityProviders.configured()) {
            rows.add(connectedAccount(provider.id(), provider.displayName(), linked.remove(provider.id()), true));
        }
        linked.values().forEach(l -> rows.add(connectedAccount(l.provider(),
                identityProviders.displayName(l.provider()), l, false)));
        return rows;
    }

    private static Map<String, Object> connectedAccount(String id, String name, ExternalIdentities.Linked linked,
                                                        boolean canConnect) {
        var row = new HashMap<String, Object>();
        row.put("id", id);
        row.put("name", name);
        row.put("canConnect", canConnect);
        row.put("linked", linked != null);
        if (linked != null) {
            row.put("login", linked.login());
            row.put("linkedAt", Formats.dateTime(linked.linkedAt()));
        }
        return row;
    }
}
