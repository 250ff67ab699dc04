package io.miaobu.server.auth;

import java.util.Set;

/**
 * Who made a request, and how they proved it.
 *
 * @param user      the signed-in user
 * @param method    session cookie, bearer access token or API token
 * @param sessionId the session (sign-in) behind a cookie or access token; {@code null} for API tokens
 * @param tokenId   the API token's id; {@code null} otherwise
 * @param scopes    what the credential may be used for: all scopes for sessions, the token's for API tokens
 */
public record Caller(User user, Method method, String sessionId, Long tokenId, Set<TokenScope> scopes) {

    public enum Method {
        SESSION_COOKIE,
        ACCESS_TOKEN,
        API_TOKEN
    }

    public Caller {
        scopes = Set.copyOf(scopes);
    }

    public boolean isAdmin() {
        return user.isAdmin();
    }
}
