package io.miaobu.server.auth;

import java.time.Instant;

/** A Miaobu account. The password hash never leaves the auth package's services. */
public record User(long id, String username, String passwordHash, Role role, Instant createdAt) {

    public boolean isAdmin() {
        return role == Role.ADMIN;
    }

    @Override
    public String toString() {
        return "User[" + id + ", " + username + ", " + role + "]";
    }
}
