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
import io.miaobu.server.auth.SessionInfo;
import io.miaobu.server.auth.SessionService;
import io.miaobu.server.auth.TokenScope;
import io.miaobu.server.auth.User;
import io.miaobu.server.ratelimit.RateLimited;
import io.miaobu.server.web.Listing;
import io.miaobu.server.web.UserFacingException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import io.miaobu.server.notify.UserEmails;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.glassfish.jersey.server.ContainerRequest;

/** The caller's own account: who they are, their password, sessions and API tokens. */
@Path("api/v1/account")
@Produces(MediaType.APPLICATION_JSON)
@Allow(Permission.SIGNED_IN)
public final class AccountApi {

    private final AccountService accounts;
    private final SessionService sessions;
    private final ApiTokenService tokens;
    private final AuditLog audit;

    private final UserEmails emails;

    public AccountApi(AccountService accounts, SessionService sessions, ApiTokenService tokens, AuditLog audit,
                      UserEmails emails) {
        this.emails = emails;
        this.accounts = accounts;
        this.sessions = sessions;
        this.tokens = tokens;
        this.audit = audit;
    }

    @GET
    public Me me(@Context ContainerRequest request) {
        Caller caller = AccessFilter.caller(request);
        return new Me(caller.user().id(), caller.user().username(),
                caller.user().role().name().toLowerCase(Locale.ROOT), caller.user().createdAt(),
                caller.scopes().stream().sorted().map(TokenScope::label).toList());
    }

    /** Changes the caller's password and ends every other session of theirs. */
    public record EmailView(String email) {
    }

    @GET
    @Path("email")
    @Allow(Permission.SIGNED_IN)
    public EmailView email(@Context ContainerRequest request) {
        return new EmailView(emails.of(AccessFilter.currentUser(request).id()).orElse(null));
    }

    /** Sets the caller's email address, where their notifications go: {@code {"email": "ada@example.com"}}. */
    @PUT
    @Path("email")
    @Consumes(MediaType.APPLICATION_JSON)
    @Allow(Permission.SIGNED_IN)
    public EmailView setEmail(EmailView body, @Context ContainerRequest request) {
        User user = AccessFilter.currentUser(request);
        return new EmailView(emails.set(user.id(), user.username(), body == null ? null : body.email(),
                AccessFilter.actor(request)).orElse(null));
    }

    @POST
    @Path("password")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response changePassword(PasswordChange body, @Context ContainerRequest request) {
        if (body == null) {
            throw UserFacingException.invalid(null, "Send {\"currentPassword\": …, \"newPassword\": …}.");
        }
        Caller caller = AccessFilter.caller(request);
        accounts.changePassword(caller.user(), body.currentPassword(), body.newPassword(), body.newPassword(),
                AccessFilter.actor(request));
        sessions.endAll(caller.user().id(), caller.sessionId(), "password changed");
        return Response.noContent().build();
    }

    @GET
    @Path("sessions")
    public Listing<SessionView> sessions(@Context ContainerRequest request) {
        Caller caller = AccessFilter.caller(request);
        return new Listing<>(sessions.listActive(caller.user().id()).stream()
                .map(s -> SessionView.of(s, caller.sessionId())).toList(), false);
    }

    @DELETE
    @Path("sessions/{sessionId}")
    public Response endSession(@PathParam("sessionId") String sessionId, @Context ContainerRequest request) {
        Caller caller = AccessFilter.caller(request);
        if (!sessions.end(caller.user().id(), sessionId, "ended by its user")) {
            throw UserFacingException.notFound("You have no session " + sessionId + ".");
        }
        audit.record(AccessFilter.actor(request), AuditAction.SESSION_ENDED, "user:" + caller.user().username(), null);
        return Response.noContent().build();
    }

    @GET
    @Path("tokens")
    public Listing<TokenView> tokens(@Context ContainerRequest request) {
        return new Listing<>(tokens.list(AccessFilter.currentUser(request).id()).stream().map(TokenView::of).toList(),
                false);
    }

    /** Creates a token; its secret is in this answer only. */
    @POST
    @Path("tokens")
    @Consumes(MediaType.APPLICATION_JSON)
    @RateLimited("token-create")
    public Response createToken(TokenRequest body, @Context ContainerRequest request) {
        if (body == null) {
            throw UserFacingException.invalid(null, "Send {\"name\": …, \"scopes\": [\"read\"]}.");
        }
        User user = AccessFilter.currentUser(request);
        Set<TokenScope> scopes = ApiTokenService.parseScopes(body.scopes());
        var created = tokens.create(user, body.name(), scopes, body.expiresAt());
        audit.record(AccessFilter.actor(request), AuditAction.TOKEN_CREATED, "user:" + user.username(),
                created.token().name() + " (" + created.token().prefix() + "…, " + scopeText(created.token()) + ")");
        return Response.created(URI.create("/api/v1/account/tokens/" + created.token().id()))
                .entity(new CreatedToken(TokenView.of(created.token()), created.secret()))
                .build();
    }

    @DELETE
    @Path("tokens/{tokenId}")
    public Response revokeToken(@PathParam("tokenId") long tokenId, @Context ContainerRequest request) {
        User user = AccessFilter.currentUser(request);
        ApiToken token = tokens.revoke(user.id(), tokenId)
                .orElseThrow(() -> UserFacingException.notFound("You have no token " + tokenId + "."));
        audit.record(AccessFilter.actor(request), AuditAction.TOKEN_REVOKED, "user:" + user.username(),
                token.name() + " (" + token.prefix() + "…)");
        return Response.noContent().build();
    }

    static String scopeText(ApiToken token) {
        return String.join(", ", token.scopes().stream().sorted().map(TokenScope::label).toList());
    }

    public record Me(long id, String username, String role, Instant createdAt, List<String> scopes) {
    }

    public record PasswordChange(String currentPassword, String newPassword) {
        @Override
        public String toString() {
            return "PasswordChange[****]";
        }
    }

    public record SessionView(String id, Instant createdAt, Instant lastUsedAt, Instant expiresAt,
                              String clientAddress, String userAgent, boolean current) {
        static SessionView of(SessionInfo session, String currentSessionId) {
            return new SessionView(session.id(), session.createdAt(), session.lastUsedAt(), session.expiresAt(),
                    session.clientAddress(), session.userAgent(), session.id().equals(currentSessionId));
        }
    }

    /** @param expiresAt when the token stops working; never when absent */
    public record TokenRequest(String name, List<String> scopes, Instant expiresAt) {
    }

    public record TokenView(long id, String name, String prefix, List<String> scopes, Instant createdAt,
                            Instant expiresAt, Instant lastUsedAt, Instant revokedAt) {
        static TokenView of(ApiToken token) {
            return new TokenView(token.id(), token.name(), token.prefix(),
                    token.scopes().stream().sorted().map(TokenScope::label).toList(), token.createdAt(),
                    token.expiresAt(), token.lastUsedAt(), token.revokedAt());
        }
    }

    public record CreatedToken(TokenView token, String secret) {
        @Override
        public String toString() {
            return "CreatedToken[" + token + "]";
        }
    }
}
