package io.miaobu.server.member;

import java.util.OptionalLong;
import org.jdbi.v3.core.Jdbi;

/** Finds the project a route's path names, for permission checks: directly, or through one of its deployments. */
public final class ProjectLookup {

    private final Jdbi jdbi;

    public ProjectLookup(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public boolean exists(long projectId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT count(*) FROM projects WHERE id = ?")
                .bind(0, projectId).mapTo(Long.class).one()) > 0;
    }

    /** The project's slug, for the audit log; empty when it does not exist (any more). */
    public java.util.Optional<String> slugOf(long projectId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT slug FROM projects WHERE id = ?")
                .bind(0, projectId).mapTo(String.class).findOne());
    }

    public OptionalLong projectOfDeployment(long deploymentId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT project_id FROM deployments WHERE id = ?")
                .bind(0, deploymentId).mapTo(Long.class).findOne())
                .map(OptionalLong::of).orElse(OptionalLong.empty());
    }
}
