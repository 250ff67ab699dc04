package io.miaobu.server.member;

import io.miaobu.server.audit.Actor;
import io.miaobu.server.audit.AuditAction;
import io.miaobu.server.audit.AuditLog;
import io.miaobu.server.auth.AccountService;
import io.miaobu.server.auth.ProjectRole;
import io.miaobu.server.auth.User;
import io.miaobu.server.web.UserFacingException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Who belongs to which project, in which role. The creator of a project is its first owner; owners invite users by
 * name, change their roles and remove them. A project always keeps at least one owner.
 */
public final class ProjectMembers {

    private final Jdbi jdbi;
    private final AccountService accounts;
    private final AuditLog audit;
    private final Clock clock;

    public ProjectMembers(Jdbi jdbi, AccountService accounts, AuditLog audit, Clock clock) {
        this.jdbi = jdbi;
        this.accounts = accounts;
        this.audit = audit;
        this.clock = clock;
    }

    /** The user's role in the project; empty when they are not a member. */
    public Optional<ProjectRole> roleOf(long projectId, long userId) {
        return jdbi.withHandle(handle -> handle
                .createQuery("SELECT role FROM project_members WHERE project_id = ? AND user_id = ?")
                .bind(0, projectId).bind(1, userId)
                .mapTo(String.class).findOne().flatMap(ProjectRole::parse));
    }

    public List<ProjectMember> list(long projectId) {
        return jdbi.withHandle(handle -> handle.createQuery("""
                        SELECT m.project_id, m.user_id, u.username, m.role, m.added_at
                        FROM project_members m JOIN users u ON u.id = m.user_id
                        WHERE m.project_id = ? ORDER BY u.username""")
                .bind(0, projectId)
                .map((rs, ctx) -> new ProjectMember(rs.getLong(1), rs.getLong(2), rs.getString(3),
                        ProjectRole.parse(rs.getString(4)).orElseThrow(), rs.getTimestamp(5).toInstant()))
                .list());
    }

    /** Makes the creator of a new project its owner, in the transaction that creates the project. */
    public void addOwner(Handle handle, long projectId, long userId) {
        handle.createUpdate("INSERT INTO project_members (project_id, user_id, role, added_at) VALUES (?, ?, ?, ?)")
                .bind(0, projectId).bind(1, userId).bind(2, ProjectRole.OWNER.name()).bind(3, clock.instant())
                .execute();
    }

    /**
     * Adds a user by name, or changes the role of one who is already a member.
     *
     * @throws UserFacingException 400 for an unknown user or role; 409 when this would leave no owner
     */
    public synchronized ProjectMember put(long projectId, String projectSlug, String username, ProjectRole role,
                                          Actor actor) {
        if (role == null) {
            throw UserFacingException.invalid("role", "The role is viewer, maintainer or owner.");
        }
        User user = accounts.findByUsername(username)
                .orElseThrow(() -> UserFacingException.invalid("username", "There is no user with that name."));
        Optional<ProjectRole> current = roleOf(projectId, user.id());
        if (current.isPresent() && current.get() == role) {
            return find(projectId, user.id()).orElseThrow();
        }
        if (current.isPresent()) {
            if (current.get() == ProjectRole.OWNER) {
                refuseLastOwner(projectId);
            }
            jdbi.useHandle(handle -> handle
                    .createUpdate("UPDATE project_members SET role = ? WHERE project_id = ? AND user_id = ?")
                    .bind(0, role.name()).bind(1, projectId).bind(2, user.id()).execute());
            audit.record(actor, AuditAction.MEMBER_ROLE_CHANGED, "project:" + projectSlug,
                    user.username() + ": " + current.get().label() + " -> " + role.label());
        } else {
            jdbi.useHandle(handle -> handle.createUpdate(
                            "INSERT INTO project_members (project_id, user_id, role, added_at) VALUES (?, ?, ?, ?)")
                    .bind(0, projectId).bind(1, user.id()).bind(2, role.name()).bind(3, clock.instant())
                    .execute());
            audit.record(actor, AuditAction.MEMBER_ADDED, "project:" + projectSlug,
                    user.username() + " as " + role.label());
        }
        return find(projectId, user.id()).orElseThrow();
    }

    /**
     * Removes a member.
     *
     * @throws UserFacingException 404 when the user is not a member; 409 for the last owner
     */
    public synchronized void remove(long projectId, String projectSlug, long userId, Actor actor) {
        ProjectMember member = find(projectId, userId)
                .orElseThrow(() -> UserFacingException.notFound("That user is not a member of this project."));
        if (member.role() == ProjectRole.OWNER) {
            refuseLastOwner(projectId);
        }
        jdbi.useHandle(handle -> handle.createUpdate("DELETE FROM project_members WHERE project_id = ? AND user_id = ?")
                .bind(0, projectId).bind(1, userId).execute());
        audit.record(actor, AuditAction.MEMBER_REMOVED, "project:" + projectSlug, member.username());
    }

    public Optional<ProjectMember> find(long projectId, long userId) {
        return list(projectId).stream().filter(m -> m.userId() == userId).findFirst();
    }

    private void refuseLastOwner(long projectId) {
        long owners = list(projectId).stream().filter(m -> m.role() == ProjectRole.OWNER).count();
        if (owners <= 1) {
            throw UserFacingException.conflict("A project needs an owner: make someone else an owner first.");
        }
    }
}
