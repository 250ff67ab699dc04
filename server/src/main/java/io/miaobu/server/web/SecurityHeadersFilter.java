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

    private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";
    private static final String HSTS = "max-age=31536000";

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
