package io.miaobu.server.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.glassfish.jersey.server.ContainerRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every exception into an answer a person can read: JSON {@code {"error":{…}}} under {@code /api}, the error
 * page elsewhere. Never a stack trace; unexpected errors are logged with a reference the user can quote.
 */
public final class ErrorMapper implements ExceptionMapper<Throwable> {

    private static final Logger LOG = LoggerFactory.getLogger(ErrorMapper.class);

    private final PageRenderer pages;

    @Context
    private jakarta.inject.Provider<ContainerRequest> request;

    public ErrorMapper(PageRenderer pages) {
        this.pages = pages;
    }

    @Override
    public Response toResponse(Throwable exception) {
        Problem problem = problemOf(exception);
        ContainerRequestContext context = request == null ? null : request.get();
        boolean api = context == null || context.getUriInfo().getPath().startsWith("api/")
                || context.getUriInfo().getPath().startsWith("hooks/");
        if (api) {
            return withRetryAfter(Response.status(problem.status)
                    .type(MediaType.APPLICATION_JSON_TYPE)
                    .entity(ApiError.of(problem.code, problem.message, problem.field)), problem);
        }
        try {
            return withRetryAfter(Response.fromResponse(pages.render(context, "error",
                    Map.of("status", problem.status, "message", problem.message), problem.status)), problem);
        } catch (RuntimeException e) {
            LOG.error("The error page failed", e);
            return withRetryAfter(Response.status(problem.status).type(MediaType.TEXT_PLAIN_TYPE.withCharset("UTF-8"))
                    .entity(problem.message), problem);
        }
    }

    private static Response withRetryAfter(Response.ResponseBuilder response, Problem problem) {
        if (problem.retryAfterSeconds > 0) {
            response.header(HttpHeaders.RETRY_AFTER, problem.retryAfterSeconds);
        }
        return response.build();
    }

    private static Problem problemOf(Throwable exception) {
        if (exception instanceof UserFacingException e) {
            return new Problem(e.status(), e.code(), e.getMessage(), e.field(), e.retryAfterSeconds().orElse(0));
        }
        if (exception instanceof UnrecognizedPropertyException e) {
            return new Problem(400, "invalid", "Unknown field '" + e.getPropertyName() + "'.", e.getPropertyName(), 0);
        }
        if (exception instanceof InvalidFormatException e) {
            String field = fieldOf(e);
            return new Problem(400, "invalid", "The value of '" + field + "' has the wrong type.", field, 0);
        }
        if (exception instanceof MismatchedInputException e) {
            String field = fieldOf(e);
            return new Problem(400, "invalid", field.isEmpty() ? "The request body is not the expected JSON object."
                    : "The value of '" + field + "' has the wrong type.", field.isEmpty() ? null : field, 0);
        }
        if (exception instanceof JsonProcessingException) {
            return new Problem(400, "invalid", "The request body is not valid JSON.", null, 0);
        }
        if (exception instanceof WebApplicationException e) {
            int status = e.getResponse().getStatus();
            if (status < 500) {
                return new Problem(status, codeOf(status), messageOf(status), null, 0);
            }
        }
        String reference = UUID.randomUUID().toString().substring(0, 8);
        LOG.error("Unexpected error (reference {})", reference, exception);
        return new Problem(500, "internal", "Something went wrong on the server. Reference: " + reference + ".", null,
                0);
    }

    private static String fieldOf(MismatchedInputException e) {
        return e.getPath().stream().map(r -> r.getFieldName() == null ? "[" + r.getIndex() + "]" : r.getFieldName())
                .collect(Collectors.joining("."));
    }

    private static String codeOf(int status) {
        return switch (status) {
            case 400 -> "invalid";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 406 -> "not_acceptable";
            case 409 -> "conflict";
            case 415 -> "unsupported_media_type";
            case 429 -> "rate_limited";
            default -> "error";
        };
    }

    private static String messageOf(int status) {
        return switch (status) {
            case 400 -> "The request is not valid.";
            case 401 -> "Sign in first.";
            case 403 -> "You may not do this.";
            case 404 -> "There is nothing here.";
            case 405 -> "This method is not allowed here.";
            case 406 -> "This resource cannot answer in the requested format.";
            case 415 -> "Send the request body as JSON (Content-Type: application/json).";
            case 429 -> "Too many requests. Wait a little and try again.";
            default -> "The request could not be handled.";
        };
    }

    /** @param retryAfterSeconds the {@code Retry-After} to send; 0 for none */
    private record Problem(int status, String code, String message, String field, long retryAfterSeconds) {
    }
}
