package io.miaobu.server.http;

import io.miaobu.server.web.UserFacingException;
import jakarta.annotation.Priority;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Cross-origin access to the API ({@code /api/…}) for the configured origins only; none by default, and then this
 * filter does nothing. A preflight ({@code OPTIONS} with {@code Origin} and {@code Access-Control-Request-Method}) is
 * answered before matching, since no route declares {@code OPTIONS}: 204 with the allowed methods and headers for an
 * allowed origin, 403 otherwise. Actual requests from an allowed origin get {@code Access-Control-Allow-Origin}; from
 * others, no CORS headers, so the browser withholds the answer. Credentials are never allowed: the API authenticates
 * with Bearer tokens, and the session cookie must not ride on cross-origin requests.
 *
 * <p>Registered in the Jersey app by the composition root. A refused preflight throws
 * {@link UserFacingException#forbidden}, which the error mapper answers with the API's JSON error.
 */
@PreMatching
@Priority(Priorities.AUTHENTICATION - 250)
public final class CorsFilter implements ContainerRequestFilter, ContainerResponseFilter {

    static final String ALLOW_METHODS = "GET, POST, PUT, PATCH, DELETE";
    static final String ALLOW_HEADERS = "Authorization, Content-Type, X-CSRF-Token";
    static final String MAX_AGE_SECONDS = "600";
    // a cross-origin script may read only the safelisted response headers and those named here
    static final String EXPOSE_HEADERS = "Retry-After, Location";

    private final Set<String> allowedOrigins;

    /**
     * @param allowedOrigins exact origins such as {@code https://app.example.com}; empty turns CORS off
     * @throws IllegalArgumentException naming the entry that is not an origin ({@code *}, a path, no scheme or host)
     */
    public CorsFilter(List<String> allowedOrigins) {
        var origins = new LinkedHashSet<String>();
        for (String origin : allowedOrigins) {
            origins.add(validOrigin(origin.strip()));
        }
        this.allowedOrigins = Set.copyOf(origins);
    }

    @Override
    public void filter(ContainerRequestContext request) {
        if (allowedOrigins.isEmpty() || !isApi(request) || !HttpMethod.OPTIONS.equals(request.getMethod())) {
            return;
        }
        String origin = request.getHeaderString("Origin");
        if (origin == null || request.getHeaderString("Access-Control-Request-Method") == null) {
            return;
        }
        if (!allowedOrigins.contains(origin.toLowerCase(Locale.ROOT))) {
            throw UserFacingException.forbidden("Cross-origin requests from " + origin + " are not allowed.");
        }
        request.abortWith(Response.noContent()
                .header("Access-Control-Allow-Origin", origin)
                .header(HttpHeaders.VARY, "Origin")
                .header("Access-Control-Allow-Methods", ALLOW_METHODS)
                .header("Access-Control-Allow-Headers", ALLOW_HEADERS)
                .header("Access-Control-Max-Age", MAX_AGE_SECONDS)
                .build());
    }

    /** Adds the CORS headers to every API answer to an allowed origin, the preflight's included. */
    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        if (allowedOrigins.isEmpty() || !isApi(request)) {
            return;
        }
        String origin = request.getHeaderString("Origin");
        if (origin == null || !allowedOrigins.contains(origin.toLowerCase(Locale.ROOT))) {
            return;
        }
        MultivaluedMap<String, Object> headers = response.getHeaders();
        headers.putSingle("Access-Control-Allow-Origin", origin);
        if (!HttpMethod.OPTIONS.equals(request.getMethod())) {
            headers.putSingle("Access-Control-Expose-Headers", EXPOSE_HEADERS);
        }
        String vary = response.getHeaderString(HttpHeaders.VARY);
        if (vary == null || vary.isBlank()) {
            headers.putSingle(HttpHeaders.VARY, "Origin");
        } else if (!List.of(vary.toLowerCase(Locale.ROOT).split("\\s*,\\s*")).contains("origin")) {
            headers.putSingle(HttpHeaders.VARY, vary + ", Origin");
        }
    }

    private static boolean isApi(ContainerRequestContext request) {
        return request.getUriInfo().getPath().startsWith("api/");
    }

    private static String validOrigin(String origin) {
        String problem = null;
        try {
            URI uri = new URI(origin);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                problem = "it needs http:// or https://";
            } else if (uri.getHost() == null) {
                problem = "it has no host";
            } else if (uri.getRawPath() != null && !uri.getRawPath().isEmpty() || uri.getRawQuery() != null
                    || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
                problem = "an origin is only scheme://host[:port], without a path or trailing slash";
            }
        } catch (URISyntaxException e) {
            problem = "it is not a URL";
        }
        if (problem != null) {
            throw new IllegalArgumentException("CORS origin '" + origin + "' is not allowed: " + problem);
        }
        return origin.toLowerCase(Locale.ROOT);
    }
}
