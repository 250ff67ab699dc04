package io.miaobu.server.web;

import java.util.OptionalLong;

/**
 * A request the user can correct or must be told about: answered with its status and message (never a stack trace),
 * as {@code {"error":{"code","message","field"}}} in the API and as a message on the page.
 */
public final class UserFacingException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final String field;
    private final long retryAfterSeconds;

    public UserFacingException(int status, String code, String message, String field) {
        this(status, code, message, field, 0);
    }

    private UserFacingException(int status, String code, String message, String field, long retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.field = field;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static UserFacingException invalid(String field, String message) {
        return new UserFacingException(400, "invalid", message, field);
    }

    public static UserFacingException notFound(String message) {
        return new UserFacingException(404, "not_found", message, null);
    }

    public static UserFacingException conflict(String message) {
        return new UserFacingException(409, "conflict", message, null);
    }

    public static UserFacingException forbidden(String message) {
        return new UserFacingException(403, "forbidden", message, null);
    }

    public static UserFacingException unauthorized(String message) {
        return new UserFacingException(401, "unauthorized", message, null);
    }

    /** A rate limit refused the request: 429 with {@code Retry-After}, at least one second. */
    public static UserFacingException tooManyRequests(String message, long retryAfterSeconds) {
        return new UserFacingException(429, "rate_limited", message, null, Math.max(1, retryAfterSeconds));
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** The input field at fault, or {@code null}. */
    public String field() {
        return field;
    }

    /** Seconds the client should wait before trying again ({@code Retry-After}); empty unless rate limited. */
    public OptionalLong retryAfterSeconds() {
        return retryAfterSeconds > 0 ? OptionalLong.of(retryAfterSeconds) : OptionalLong.empty();
    }
}
