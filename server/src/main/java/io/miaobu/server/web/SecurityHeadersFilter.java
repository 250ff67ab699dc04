package io.miaobu.server.web;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.MultivaluedMap;

/**
 * Security headers on every page and API response. Scripts and styles come only from Miaobu itself. HSTS goes only on
 * answers to secure requests (TLS here or at a trusted proxy): browsers ignore it over plain http (RFC 6797 §8.1).
 */
public final class SecurityHeadersFilter implements ContainerResponseFilter {

    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";
    private static final String HSTS = "max-age=31536000";

    /**
     * Jetty's own error answers (a malformed request that never reaches Jersey: an ambiguous URI, a bad header) with
     * the same headers, and without Jetty's version or stack traces.
     */
    public static org.eclipse.jetty.server.handler.ErrorHandler jettyErrorHandler() {
        var handler = new org.eclipse.jetty.server.handler.ErrorHandler() {
            @Override
            public boolean handle(org.eclipse.jetty.server.Request request, org.eclipse.jetty.server.Response response,
                                  org.eclipse.jetty.util.Callback callback) throws Exception {
                var headers = response.getHeaders();
                headers.put("Content-Security-Policy", CSP);
                headers.put("X-Frame-Options", "DENY");
                headers.put("X-Content-Type-Options", "nosniff");
                headers.put("Referrer-Policy", "same-origin");
                return super.handle(request, response, callback);
            }
        };
        handler.setShowStacks(false);
        handler.setShowMessageInTitle(false);
        return handler;
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        MultivaluedMap<String, Object> headers = response.getHeaders();
        headers.putSingle("Content-Security-Policy", CSP);
        headers.putSingle("X-Frame-Options", "DENY");
        headers.putSingle("X-Content-Type-Options", "nosniff");
        headers.putSingle("Referrer-Policy", "same-origin");
        boolean secure = request.getSecurityContext().isSecure()
                || "https".equals(request.getUriInfo().getRequestUri().getScheme());
        if (secure) {
            headers.putSingle("Strict-Transport-Security", HSTS);
        }
    }
}
