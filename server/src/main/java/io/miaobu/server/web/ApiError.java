package io.miaobu.server.web;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The API's error body: {@code {"error":{"code","message","field"}}}. */
public record ApiError(Body error) {

    public static ApiError of(String code, String message, String field) {
        return new ApiError(new Body(code, message, field));
    }

    /** @param field the input field at fault; omitted when none */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Body(String code, String message, String field) {
    }
}
