package io.miaobu.server.auth;

/** Server-wide roles. */
public enum Role {
    ADMIN,
    USER
}
