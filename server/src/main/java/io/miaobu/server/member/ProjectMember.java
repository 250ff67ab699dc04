package io.miaobu.server.member;

import io.miaobu.server.auth.ProjectRole;
import java.time.Instant;

/** A user's membership of a project. */
public record ProjectMember(long projectId, long userId, String username, ProjectRole role, Instant addedAt) {
}
