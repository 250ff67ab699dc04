package io.miaobu.server.http;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.Locale;
import java.util.Set;

/**
 * When Miaobu's public URL is {@code https}, answers requests that arrived over plain http (after
 * {@link TrustedProxyCustomizer} has applied a trusted proxy's {@code X-Forwarded-Proto}) with
 * {@code 308 Permanent Redirect} to the same path and query on the public URL's origin; 308 keeps the method and body
 * of a POST. The health probes stay reachable over http, as load balancers and the cluster probe them there. With an
 * {@code http} public URL it does nothing. Registered in the Jersey app; runs before matching, so it never throws.
 */
@PreMatching
@Priority(Priorities.AUTHENTICATION - 300)
public final class HttpsEnforcementFilter implements ContainerRequestFilter {

    private static final Set<String> PROBES = Set.of("health/live", "health/ready");

    private final boolean enforce;
    private final String origin;

    /** @param publicUrl the URL people reach Miaobu at, as configured ({@code public.url}) */
    public HttpsEnforcementFilter(URI publicUrl) {
        this.enforce = "https".equalsIgnoreCase(publicUrl.getScheme());
        String authority = publicUrl.getRawAuthority() == null ? "" : publicUrl.getRawAuthority();
        this.origin = "https://" + authority.toLowerCase(Locale.ROOT);
    }

    @Override
    public void filter(ContainerRequestContext request) {
        if (!enforce || request.getSecurityContext().isSecure()
                || "https".equals(request.getUriInfo().getRequestUri().getScheme())
                || PROBES.contains(request.getUriInfo().getPath())) {
            return;
        }
        URI requested = request.getUriInfo().getRequestUri();
        String query = requested.getRawQuery();
        String location = origin + requested.getRawPath() + (query == null ? "" : "?" + query);
        request.abortWith(Response.status(Response.Status.PERMANENT_REDIRECT).location(URI.create(location)).build());
    }
}
