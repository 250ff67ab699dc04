package io.miaobu.server.auth;

import io.miaobu.server.web.UserFacingException;
import jakarta.annotation.Priority;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.Form;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.net.URI;
import java.util.Locale;
import java.util.Set;
import org.glassfish.jersey.server.ContainerRequest;

/**
 * Refuses cross-site requests that change state. Every unsafe request (POST, PUT, PATCH, DELETE) that could carry the
 * session cookies must come from Miaobu's own origin (Origin, or Referer when there is no Origin), and, when it was
 * authenticated by those cookies, carry the session's anti-CSRF token: the {@code csrf} form field, or the
 * {@code X-CSRF-Token} header. A {@code multipart/form-data} form (a file upload) is not read here: it carries the
 * token in its action's query string, {@code ?csrf=}. Requests authenticated by {@code Authorization: Bearer} carry no cookie a third party could ride on and are
 * not checked.
 */
@Priority(Priorities.AUTHENTICATION + 1)
public final class CsrfFilter implements ContainerRequestFilter {

    public static final String FORM_FIELD = "csrf";
    public static final String HEADER = "X-CSRF-Token";
    private static final Set<String> SAFE = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

    private final CsrfTokens tokens;
    private final String publicOrigin;

    public CsrfFilter(CsrfTokens tokens, URI publicUrl) {
        this.tokens = tokens;
        this.publicOrigin = originOf(publicUrl);
    }

    @Override
    public void filter(ContainerRequestContext request) {
        if (SAFE.contains(request.getMethod())) {
            return;
        }
        String authorization = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return;
        }
        String source = sourceOrigin(request);
        if (source != null && !source.equals(publicOrigin) && !source.equals(ownOrigin(request))) {
            throw UserFacingException.forbidden("Cross-site request refused: it did not come from Miaobu's pages.");
        }
        Caller caller = AccessFilter.caller(request);
        if (caller == null || caller.method() != Caller.Method.SESSION_COOKIE) {
            return;
        }
        if (!tokens.matches(caller.sessionId(), submittedToken(request))) {
            throw UserFacingException.forbidden("This form has expired or did not come from Miaobu's pages."
                    + " Reload the page and try again.");
        }
    }

    private static String submittedToken(ContainerRequestContext request) {
        String header = request.getHeaderString(HEADER);
        if (header != null) {
            return header;
        }
        if (request.hasEntity() && MediaType.APPLICATION_FORM_URLENCODED_TYPE.isCompatible(request.getMediaType())
                && request instanceof ContainerRequest jersey) {
            jersey.bufferEntity(); // the resource reads the form again
            Form form = jersey.readEntity(Form.class);
            return form.asMap().getFirst(FORM_FIELD);
        }
        if (request.hasEntity() && MediaType.MULTIPART_FORM_DATA_TYPE.isCompatible(request.getMediaType())) {
            // an upload may be large: its body is left to the resource, the token comes with the URL
            return request.getUriInfo().getQueryParameters().getFirst(FORM_FIELD);
        }
        return null;
    }

    /** Where the request says it comes from; null when the browser did not say. */
    private static String sourceOrigin(ContainerRequestContext request) {
        String origin = request.getHeaderString("Origin");
        if (origin != null && !origin.equals("null")) {
            return origin.toLowerCase(Locale.ROOT);
        }
        String referer = request.getHeaderString("Referer");
        if (referer == null) {
            return null;
        }
        try {
            return originOf(URI.create(referer));
        } catch (IllegalArgumentException e) {
            return "invalid";
        }
    }

    /** The origin the browser addressed: scheme of the request and its Host header. */
    private static String ownOrigin(ContainerRequestContext request) {
        String host = request.getHeaderString(HttpHeaders.HOST);
        String scheme = request.getUriInfo().getRequestUri().getScheme();
        return host == null ? null : (scheme + "://" + host).toLowerCase(Locale.ROOT);
    }

    private static String originOf(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        int port = uri.getPort();
        boolean defaultPort = port < 0 || ("http".equals(scheme) && port == 80) || ("https".equals(scheme) && port == 443);
        return scheme + "://" + host + (defaultPort ? "" : ":" + port);
    }
}
