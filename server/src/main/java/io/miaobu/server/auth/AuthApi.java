package io.miaobu.server.auth;

import io.miaobu.server.ratelimit.RateLimited;
import io.miaobu.server.web.UserFacingException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.glassfish.jersey.server.ContainerRequest;

/** Sign-in for API clients: a short-lived access token and a rotating refresh token. */
@Path("api/v1/auth")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public final class AuthApi {

    private final SignIns signIns;
    private final SessionService sessions;

    public AuthApi(SignIns signIns, SessionService sessions) {
        this.signIns = signIns;
        this.sessions = sessions;
    }

    @POST
    @Path("login")
    @Allow(Permission.PUBLIC)
    @RateLimited("login")
    public TokenResponse login(LoginRequest body, @HeaderParam(HttpHeaders.USER_AGENT) String userAgent,
                               @Context ContainerRequest request) {
        if (body == null) {
            throw UserFacingException.invalid(null, "Send {\"username\": …, \"password\": …}.");
        }
        return TokenResponse.of(signIns.signIn(body.username(), body.password(), userAgent, request));
    }

    /** Spends a refresh token for a new access and refresh token. A refresh token works once. */
    @POST
    @Path("refresh")
    @Allow(Permission.PUBLIC)
    @RateLimited("refresh")
    public TokenResponse refresh(RefreshRequest body, @Context ContainerRequest request) {
        if (body == null || body.refreshToken() == null || body.refreshToken().isBlank()) {
            throw UserFacingException.invalid("refreshToken", "Send {\"refreshToken\": …}.");
        }
        return sessions.refresh(body.refreshToken().strip(), false, AccessFilter.actor(request))
                .map(TokenResponse::of)
                .orElseThrow(() -> UserFacingException.unauthorized("This refresh token is not valid any more."));
    }

    /** Ends the caller's session: its access and refresh tokens stop working at once. */
    @POST
    @Path("logout")
    @Allow(Permission.SIGNED_IN)
    public Response logout(@Context ContainerRequest request) {
        Caller caller = AccessFilter.caller(request);
        if (caller.sessionId() == null) {
            throw UserFacingException.invalid(null, "API tokens have no session to end: revoke the token instead.");
        }
        signIns.signOut(caller, AccessFilter.actor(request));
        return Response.noContent().build();
    }

    public record LoginRequest(String username, String password) {
        @Override
        public String toString() {
            return "LoginRequest[" + username + "]";
        }
    }

    public record RefreshRequest(String refreshToken) {
        @Override
        public String toString() {
            return "RefreshRequest[****]";
        }
    }

    public record TokenResponse(String accessToken, String refreshToken, String tokenType, long expiresIn,
                                long refreshExpiresIn) {
        static TokenResponse of(SessionService.Tokens tokens) {
            return new TokenResponse(tokens.accessToken(), tokens.refreshToken(), "Bearer", tokens.accessExpiresIn(),
                    tokens.refreshExpiresIn());
        }

        @Override
        public String toString() {
            return "TokenResponse[****]";
        }
    }
}
