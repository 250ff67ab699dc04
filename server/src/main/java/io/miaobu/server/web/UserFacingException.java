package io.miaobu.server.web;

/**
 * A request the user can correct or must be told about: answered with its status and message (never a stack trace),
 * as {@code {"error":{"code","message","field"}}} in the API and as a message on the page.
 */
public final class UserFacingException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final String field;

    public UserFacingException(int status, String code, String message, String field) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.field = field;
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
}
