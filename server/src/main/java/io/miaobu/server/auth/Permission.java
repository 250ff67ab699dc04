package io.miaobu.server.auth;

/**
 * What a route needs. Every page and API route declares one with {@link Allow}; the {@link AccessFilter} refuses
 * routes that declare none.
 *
 * <p>Project permissions are checked against the caller's role in the project the route names: its
 * {@code {projectId}} path parameter, or the project of its {@code {deploymentId}}. Server admins hold every
 * permission. A caller with no role in the project is told it does not exist (404), so project names do not leak.
 */
public enum Permission {
    /** Anyone, signed in or not: setup, sign-in, health, webhooks, static assets. */
    PUBLIC(null),
    /** Any signed-in user: their own account, the projects they belong to, creating a project. */
    SIGNED_IN(null),
    /** Server admins: users, plugins, the audit log, the queue. */
    ADMIN(null),
    /** See a project, its deployments and logs. */
    PROJECT_VIEW(ProjectRole.VIEWER),
    /** Deploy, cancel, roll back. */
    PROJECT_DEPLOY(ProjectRole.MAINTAINER),
    /** Change the project's settings and environment variables. */
    PROJECT_CONFIGURE(ProjectRole.MAINTAINER),
    /** Manage members and delete the project. */
    PROJECT_OWN(ProjectRole.OWNER);

    private final ProjectRole minimumRole;

    Permission(ProjectRole minimumRole) {
        this.minimumRole = minimumRole;
    }

    /** The least project role that grants this permission; {@code null} for server-level permissions. */
    public ProjectRole minimumRole() {
        return minimumRole;
    }

    public boolean isProjectPermission() {
        return minimumRole != null;
    }

    /**
     * The API token scope a request needs for this permission: reads need {@code read}; deploying needs
     * {@code deploy}; every other change needs {@code admin}.
     */
    public TokenScope scopeFor(String httpMethod) {
        boolean safe = "GET".equals(httpMethod) || "HEAD".equals(httpMethod) || "OPTIONS".equals(httpMethod);
        if (safe) {
            return TokenScope.READ;
        }
        return this == PROJECT_DEPLOY ? TokenScope.DEPLOY : TokenScope.ADMIN;
    }
}
