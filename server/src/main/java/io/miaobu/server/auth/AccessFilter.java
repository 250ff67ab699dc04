package io.miaobu.server.auth;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;
import java.lang.reflect.Method;
import java.net.URI;
import java.util.Optional;
import io.miaobu.server.web.UserFacingException;

/**
 * Authenticates every request (session cookie for pages, {@code Authorization: Bearer} for the API) and enforces the
 * route's {@link Allow} declaration. A route without one is refused: default deny.
 */
@Priority(Priorities.AUTHENTICATION)
public final class AccessFilter implements ContainerRequestFilter {

    public static final String SESSION_COOKIE = "miaobu_session";
    public static final String USER_PROPERTY = "miaobu.user";

    private final SessionTokens tokens;
    private final AccountService accounts;

    @Context
    private ResourceInfo resourceInfo;

    public AccessFilter(SessionTokens tokens, AccountService accounts) {
        this.tokens = tokens;
        this.accounts = accounts;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        Audience audience = declaredAudience();
        if (audience == null) {
            throw UserFacingException.forbidden("This route declares no access policy.");
        }
        Optional<User> user = authenticate(request);
        user.ifPresent(u -> request.setProperty(USER_PROPERTY, u));
        if (audience == Audience.PUBLIC) {
            return;
        }
        boolean api = isApi(request);
        if (user.isEmpty()) {
            if (api) {
                throw UserFacingException.unauthorized("Sign in first: send 'Authorization: Bearer <token>'.");
            }
            request.abortWith(redirectToSignIn(request));
            return;
        }
        if (audience == Audience.ADMIN && !user.get().isAdmin()) {
            throw UserFacingException.forbidden("Only admins may do this.");
        }
    }

    private Audience declaredAudience() {
        if (resourceInfo == null || resourceInfo.getResourceMethod() == null) {
            return null;
        }
        Method method = resourceInfo.getResourceMethod();
        Allow allow = method.getAnnotation(Allow.class);
        if (allow == null) {
            allow = resourceInfo.getResourceClass().getAnnotation(Allow.class);
        }
        return allow == null ? null : allow.value();
    }

    private Optional<User> authenticate(ContainerRequestContext request) {
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        String token = null;
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            token = header.substring(7).strip();
        } else if (!isApi(request) || header == null) {
            Cookie cookie = request.getCookies().get(SESSION_COOKIE);
            token = cookie == null ? null : cookie.getValue();
        }
        if (token == null || token.isEmpty()) {
            return Optional.empty();
        }
        return tokens.verify(token).flatMap(accounts::findById);
    }

    private Response redirectToSignIn(ContainerRequestContext request) {
        if (accounts.needsSetup()) {
            return Response.seeOther(URI.create("/setup")).build();
        }
        String path = request.getUriInfo().getRequestUri().getRawPath();
        String query = request.getUriInfo().getRequestUri().getRawQuery();
        String next = query == null ? path : path + "?" + query;
        return Response.seeOther(UriBuilder.fromPath("/login").queryParam("next", next).build()).build();
    }

    public static boolean isApi(ContainerRequestContext request) {
        return request.getUriInfo().getPath().startsWith("api/");
    }

    /** The signed-in user of a request that passed this filter. */
    public static User currentUser(ContainerRequestContext request) {
        return (User) request.getProperty(USER_PROPERTY);
    }
}
