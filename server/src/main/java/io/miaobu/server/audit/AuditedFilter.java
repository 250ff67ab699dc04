package io.miaobu.server.audit;

import io.miaobu.server.auth.AccessFilter;
import io.miaobu.server.member.ProjectLookup;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import java.net.URI;

/**
 * Writes the audit line of an {@link Audited} route once it has succeeded: a 2xx answer, or a redirect that is not
 * to the sign-in page. A page that re-renders its form with errors (4xx) records nothing.
 */
@jakarta.annotation.Priority(jakarta.ws.rs.Priorities.USER)
public final class AuditedFilter implements ContainerRequestFilter, ContainerResponseFilter {

    private static final String TARGET_PROPERTY = "miaobu.auditTarget";

    private static final java.util.regex.Pattern CREATED_PROJECT =
            java.util.regex.Pattern.compile(".*/projects/(\\d+)$");

    private final AuditLog audit;
    private final ProjectLookup projects;

    @Context
    private ResourceInfo resourceInfo;

    public AuditedFilter(AuditLog audit, ProjectLookup projects) {
        this.audit = audit;
        this.projects = projects;
    }

    /** {@code project:<slug>} as the other audit lines name projects; the id when it is gone (deleted). */
    private String project(String id) {
        try {
            return "project:" + projects.slugOf(Long.parseLong(id)).orElse(id);
        } catch (NumberFormatException e) {
            return "project:" + id;
        }
    }

    private String projectOfDeployment(String deploymentId) {
        try {
            var project = projects.projectOfDeployment(Long.parseLong(deploymentId));
            return project.isPresent() ? project(Long.toString(project.getAsLong())) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Names the target before the resource runs: a deleted project has no slug afterwards. */
    @Override
    public void filter(ContainerRequestContext request) {
        if (resourceInfo == null || resourceInfo.getResourceMethod() == null
                || !resourceInfo.getResourceMethod().isAnnotationPresent(Audited.class)) {
            return;
        }
        var path = request.getUriInfo().getPathParameters();
        if (path.containsKey(AccessFilter.DEPLOYMENT_ID_PARAM)) {
            String deploymentId = path.getFirst(AccessFilter.DEPLOYMENT_ID_PARAM);
            request.setProperty(TARGET_PROPERTY, new String[] {"deployment:" + deploymentId,
                    projectOfDeployment(deploymentId)});
        } else if (path.containsKey(AccessFilter.PROJECT_ID_PARAM)) {
            request.setProperty(TARGET_PROPERTY, new String[] {project(path.getFirst(AccessFilter.PROJECT_ID_PARAM)),
                    null});
        }
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
        String target;
        String detail = null;
        if (request.getProperty(TARGET_PROPERTY) instanceof String[] named) {
            target = named[0];
            detail = named[1];
        } else {
            URI location = response.getLocation();
            var created = location == null ? null : CREATED_PROJECT.matcher(location.getPath());
            target = created != null && created.matches() ? project(created.group(1))
                    : location == null ? null : location.getPath();
        }
        audit.record(AccessFilter.actor(request), audited.value(), target, detail);
    }
}
