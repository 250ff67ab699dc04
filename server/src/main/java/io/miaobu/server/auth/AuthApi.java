package io.miaobu.server.auth;

import io.miaobu.server.auth.AccountService;
import io.miaobu.server.auth.Allow;
import io.miaobu.server.auth.Audience;
import io.miaobu.server.auth.SessionTokens;
import io.miaobu.server.auth.User;
import io.miaobu.server.web.UserFacingException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

@Path("api/v1/auth")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public final class AuthApi {

    private final AccountService accounts;
    private final SessionTokens tokens;

    public AuthApi(AccountService accounts, SessionTokens tokens) {
        this.accounts = accounts;
        this.tokens = tokens;
    }

    @POST
    @Path("login")
    @Allow(Audience.PUBLIC)
    public LoginResponse login(LoginRequest request) {
        if (request == null) {
            throw UserFacingException.invalid(null, "Send {\"username\": …, \"password\": …}.");
        }
        User user = accounts.authenticate(request.username(), request.password())
                .orElseThrow(() -> UserFacingException.unauthorized("Wrong username or password."));
        return new LoginResponse(tokens.issue(user), "Bearer", tokens.ttl().toSeconds());
    }

    public record LoginRequest(String username, String password) {
        @Override
        public String toString() {
            return "LoginRequest[" + username + "]";
        }
    }

    public record LoginResponse(String accessToken, String tokenType, long expiresIn) {
    }
}
