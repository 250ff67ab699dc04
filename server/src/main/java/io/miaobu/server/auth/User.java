package io.miaobu.server.auth;

import java.time.Instant;

/**
 * A Miaobu account. The password hash never leaves the auth package's services.
 *
 * @param failedSignIns consecutive failed sign-ins since the last success or lock
 * @param lockCount     locks since the last successful sign-in; each lock lasts twice as long as the one before
 * @param lockedUntil   sign-in refused until then; {@code null} when not locked
 */
public record User(long id, String username, String passwordHash, Role role, Instant createdAt, int failedSignIns,
                   int lockCount, Instant lockedUntil, Instant passwordChangedAt) {

    public boolean isAdmin() {
        return role == Role.ADMIN;
    }

    public boolean isLockedAt(Instant now) {
        return lockedUntil != null && lockedUntil.isAfter(now);
    }

    @Override
    public String toString() {
        return "User[" + id + ", " + username + ", " + role + "]";
    }
}
