package io.miaobu.server.auth;

/** Who may call a route. */
public enum Audience {
    /** Anyone, signed in or not: setup, sign-in, health, webhooks, static assets. */
    PUBLIC,
    /** Any signed-in user. */
    SIGNED_IN,
    /** Signed-in admins only. */
    ADMIN
}
