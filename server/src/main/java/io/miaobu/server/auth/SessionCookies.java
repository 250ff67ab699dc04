package io.miaobu.server.auth;

import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import java.util.List;

/**
 * The pages' session cookies: the access token and the refresh token, both {@code HttpOnly; SameSite=Lax}, and
 * {@code Secure} when Miaobu's public URL is https.
 */
public final class SessionCookies {

    private final boolean secure;

    public SessionCookies(boolean secure) {
        this.secure = secure;
    }

    public List<NewCookie> signedIn(SessionService.Tokens tokens) {
        return List.of(cookie(AccessFilter.ACCESS_COOKIE, tokens.accessToken(), (int) tokens.accessExpiresIn()),
                cookie(AccessFilter.REFRESH_COOKIE, tokens.refreshToken(), (int) tokens.refreshExpiresIn()));
    }

    /** {@code response} (a redirect after signing in) with the new session's cookies added. */
    public Response signedIn(Response response, SessionService.Tokens tokens) {
        var builder = Response.fromResponse(response);
        signedIn(tokens).forEach(builder::cookie);
        return builder.build();
    }

    public List<NewCookie> signedOut() {
        return List.of(cookie(AccessFilter.ACCESS_COOKIE, "", 0), cookie(AccessFilter.REFRESH_COOKIE, "", 0));
    }

    private NewCookie cookie(String name, String value, int maxAge) {
        return new NewCookie.Builder(name).value(value).path("/").maxAge(maxAge).httpOnly(true).secure(secure)
                .sameSite(NewCookie.SameSite.LAX).build();
    }
}
