package io.miaobu.server.auth;

import io.miaobu.server.audit.Actor;
import io.miaobu.server.member.ProjectLookup;
import io.miaobu.server.member.ProjectMembers;
import io.miaobu.server.ratelimit.ClientAddress;
import io.miaobu.server.web.UserFacingException;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;
import java.lang.reflect.Method;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Authenticates every request and enforces the route's {@link Allow} declaration; a route without one is refused
 * (default deny).
 *
 * <p>Credentials, in this order: {@code Authorization: Bearer} with an API token ({@code mbt_…}) or an access token;
 * otherwise the pages' cookies — the access token, and when it has expired the refresh token, which is spent for a new
 * pair set on the response. An access token counts only while its session has not ended.
 *
 * <p>Project permissions are checked against the caller's role in the project named by the {@code projectId} path
 * parameter, or owning the {@code deploymentId}. Admins hold every permission; a caller without a role in the project
 * is told it does not exist.
 */
@Priority(Priorities.AUTHENTICATION)
public final class AccessFilter implements ContainerRequestFilter, ContainerResponseFilter {

    public static final String ACCESS_COOKIE = "miaobu_session";
    public static final String REFRESH_COOKIE = "miaobu_refresh";
    public static final String PROJECT_ID_PARAM = "projectId";
    public static final String DEPLOYMENT_ID_PARAM = "deploymentId";
    private static final String CALLER_PROPERTY = "miaobu.caller";
    private static final String PROJECT_ROLE_PROPERTY = "miaobu.projectRole";
    private static final String NEW_COOKIES_PROPERTY = "miaobu.newCookies";

    private final AccessTokens accessTokens;
    private final SessionService sessions;
    private final ApiTokenService apiTokens;
    private final AccountService accounts;
    private final ProjectMembers members;
    private final ProjectLookup projects;
    private final SessionCookies cookies;

    @Context
    private ResourceInfo resourceInfo;

    public AccessFilter(AccessTokens accessTokens, SessionService sessions, ApiTokenService apiTokens,
                        AccountService accounts, ProjectMembers members, ProjectLookup projects,
                        SessionCookies cookies) {
        this.accessTokens = accessTokens;
        this.sessions = sessions;
        this.apiTokens = apiTokens;
        this.accounts = accounts;
        this.members = members;
        this.projects = projects;
        this.cookies = cookies;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        Permission permission = declaredPermission(resourceInfo);
        if (permission == null) {
            throw UserFacingException.forbidden("This route declares no access policy.");
        }
        boolean api = isApi(request);
        Optional<Caller> caller = authenticate(request, permission != Permission.PUBLIC, api);
        caller.ifPresent(c -> request.setProperty(CALLER_PROPERTY, c));
        if (permission == Permission.PUBLIC) {
            return;
        }
        if (caller.isEmpty()) {
            if (api) {
                throw UserFacingException.unauthorized("Sign in first: send 'Authorization: Bearer <token>'.");
            }
            request.abortWith(redirectToSignIn(request));
            return;
        }
        authorize(request, caller.get(), permission);
    }

    /** Sets the cookies of a refresh that happened while authenticating. */
    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        @SuppressWarnings("unchecked")
        List<NewCookie> fresh = (List<NewCookie>) request.getProperty(NEW_COOKIES_PROPERTY);
        if (fresh != null && !response.getHeaders().containsKey(HttpHeaders.SET_COOKIE)) {
            fresh.forEach(cookie -> response.getHeaders().add(HttpHeaders.SET_COOKIE, cookie));
        }
    }

    /** The permission a resource method declares (on itself, else on its class); null when it declares none. */
    public static Permission declaredPermission(ResourceInfo info) {
        if (info == null || info.getResourceMethod() == null) {
            return null;
        }
        return declaredPermission(info.getResourceMethod(), info.getResourceClass());
    }

    public static Permission declaredPermission(Method method, Class<?> resourceClass) {
        Allow allow = method.getAnnotation(Allow.class);
        if (allow == null && resourceClass != null) {
            allow = resourceClass.getAnnotation(Allow.class);
        }
        return allow == null ? null : allow.value();
    }

    private Optional<Caller> authenticate(ContainerRequestContext request, boolean mayRefresh, boolean api) {
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return bearer(header.substring(7).strip());
        }
        if (header != null && api) {
            return Optional.empty();
        }
        Cookie access = request.getCookies().get(ACCESS_COOKIE);
        Optional<Caller> caller = access == null ? Optional.empty()
                : session(access.getValue(), Caller.Method.SESSION_COOKIE);
        if (caller.isPresent() || !mayRefresh) {
            return caller;
        }
        Cookie refresh = request.getCookies().get(REFRESH_COOKIE);
        if (refresh == null || refresh.getValue().isEmpty()) {
            return Optional.empty();
        }
        try {
            Actor actor = new Actor(null, null, ClientAddress.of(request));
            return sessions.refresh(refresh.getValue(), true, actor).flatMap(tokens -> {
                request.setProperty(NEW_COOKIES_PROPERTY, cookies.signedIn(tokens));
                return session(tokens.accessToken(), Caller.Method.SESSION_COOKIE);
            });
        } catch (UserFacingException e) {
            request.setProperty(NEW_COOKIES_PROPERTY, cookies.signedOut());
            return Optional.empty();
        }
    }

    private Optional<Caller> bearer(String token) {
        if (token.startsWith(ApiTokenService.PREFIX)) {
            return apiTokens.authenticate(token).map(found -> new Caller(found.user(), Caller.Method.API_TOKEN, null,
                    found.token().id(), found.token().scopes()));
        }
        return session(token, Caller.Method.ACCESS_TOKEN);
    }

    private Optional<Caller> session(String accessToken, Caller.Method method) {
        return accessTokens.verify(accessToken)
                .filter(claims -> sessions.active(claims.sessionId()).filter(s -> s.userId() == claims.userId())
                        .isPresent())
                .flatMap(claims -> accounts.findById(claims.userId())
                        .map(user -> new Caller(user, method, claims.sessionId(), null, TokenScope.all())));
    }

    private void authorize(ContainerRequestContext request, Caller caller, Permission permission) {
        TokenScope scope = permission.scopeFor(request.getMethod());
        if (!scope.isGrantedBy(caller.scopes())) {
            throw UserFacingException.forbidden("This API token lacks the '" + scope.label() + "' scope.");
        }
        if (permission == Permission.SIGNED_IN) {
            return;
        }
        if (permission == Permission.ADMIN) {
            if (!caller.isAdmin()) {
                throw UserFacingException.forbidden("Only admins may do this.");
            }
            return;
        }
        long projectId = projectOf(request);
        ProjectRole role;
        if (caller.isAdmin()) {
            role = ProjectRole.OWNER;
        } else {
            role = members.roleOf(projectId, caller.user().id())
                    .orElseThrow(() -> UserFacingException.notFound("No project " + projectId + "."));
        }
        if (!role.atLeast(permission.minimumRole())) {
            throw UserFacingException.forbidden("You are a " + role.label() + " of this project; this needs a "
                    + permission.minimumRole().label() + " or more.");
        }
        request.setProperty(PROJECT_ROLE_PROPERTY, role);
    }

    /** The project the route's path names; 404 when it names none that exists. */
    private long projectOf(ContainerRequestContext request) {
        var parameters = request.getUriInfo().getPathParameters();
        String projectId = parameters.getFirst(PROJECT_ID_PARAM);
        if (projectId != null) {
            long id = parseId(projectId, "project");
            if (!projects.exists(id)) {
                throw UserFacingException.notFound("No project " + id + ".");
            }
            return id;
        }
        String deploymentId = parameters.getFirst(DEPLOYMENT_ID_PARAM);
        if (deploymentId != null) {
            long id = parseId(deploymentId, "deployment");
            OptionalLong project = projects.projectOfDeployment(id);
            if (project.isEmpty()) {
                throw UserFacingException.notFound("No deployment " + id + ".");
            }
            return project.getAsLong();
        }
        throw UserFacingException.forbidden("This route names no project to check permissions against.");
    }

    private static long parseId(String text, String what) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw UserFacingException.notFound("No " + what + " '" + text + "'.");
        }
    }

    private Response redirectToSignIn(ContainerRequestContext request) {
        if (accounts.needsSetup()) {
            return Response.seeOther(URI.create("/setup")).build();
        }
        String path = request.getUriInfo().getRequestUri().getRawPath();
        String query = request.getUriInfo().getRequestUri().getRawQuery();
        String next = query == null ? path : path + "?" + query;
        var redirect = Response.seeOther(UriBuilder.fromPath("/login").queryParam("next", next).build());
        @SuppressWarnings("unchecked")
        List<NewCookie> fresh = (List<NewCookie>) request.getProperty(NEW_COOKIES_PROPERTY);
        if (fresh != null) {
            fresh.forEach(redirect::cookie);
        }
        return redirect.build();
    }

    public static boolean isApi(ContainerRequestContext request) {
        return request.getUriInfo().getPath().startsWith("api/");
    }

    /** Who made a request that passed this filter; null on a public route nobody signed in to. */
    public static Caller caller(ContainerRequestContext request) {
        return (Caller) request.getProperty(CALLER_PROPERTY);
    }

    /** The signed-in user of a request that passed this filter; null on a public route nobody signed in to. */
    public static User currentUser(ContainerRequestContext request) {
        Caller caller = caller(request);
        return caller == null ? null : caller.user();
    }

    /** The caller's role in the route's project, set when the route needs a project permission. */
    public static ProjectRole projectRole(ContainerRequestContext request) {
        return (ProjectRole) request.getProperty(PROJECT_ROLE_PROPERTY);
    }

    /** The audit log's view of the caller. */
    public static Actor actor(ContainerRequestContext request) {
        User user = currentUser(request);
        return new Actor(user == null ? null : user.id(), user == null ? null : user.username(),
                ClientAddress.of(request));
    }
}
