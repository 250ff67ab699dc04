package io.miaobu.server.audit;

import io.miaobu.server.auth.AccessFilter;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import java.net.URI;

/**
 * Writes the audit line of an {@link Audited} route once it has succeeded: a 2xx answer, or a redirect that is not
 * to the sign-in page. A page that re-renders its form with errors (4xx) records nothing.
 */
public final class AuditedFilter implements ContainerResponseFilter {

    private final AuditLog audit;

    @Context
    private ResourceInfo resourceInfo;

    public AuditedFilter(AuditLog audit) {
        this.audit = audit;
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        if (resourceInfo == null || resourceInfo.getResourceMethod() == null) {
            return;
        }
        Audited audited = resourceInfo.getResourceMethod().getAnnotation(Audited.class);
        int status = response.getStatus();
        if (audited == null || status >= 400 || status < 200 || AccessFilter.currentUser(request) == null) {
            return;
        }
        var path = request.getUriInfo().getPathParameters();
        String target;
        if (path.containsKey(AccessFilter.DEPLOYMENT_ID_PARAM)) {
            target = "deployment:" + path.getFirst(AccessFilter.DEPLOYMENT_ID_PARAM);
        } else if (path.containsKey(AccessFilter.PROJECT_ID_PARAM)) {
            target = "project:" + path.getFirst(AccessFilter.PROJECT_ID_PARAM);
        } else {
            URI location = response.getLocation();
            target = location == null ? null : location.getPath();
        }
        audit.record(AccessFilter.actor(request), audited.value(), target, null);
    }
}
