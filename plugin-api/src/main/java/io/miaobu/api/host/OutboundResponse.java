package io.miaobu.api.host;

import java.nio.charset.StandardCharsets;

/**
 * The answer to an {@link OutboundRequest}.
 *
 * @param status the HTTP status
 * @param reason the reason phrase, possibly empty
 * @param body   the first {@link #BODY_LIMIT} bytes of the body
 */
public record OutboundResponse(int status, String reason, byte[] body) {

    /** How much of a body is kept. */
    public static final int BODY_LIMIT = 64 * 1024;

    public OutboundResponse {
        reason = reason == null ? "" : reason;
        body = body == null ? new byte[0] : body.clone();
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    /** The body as UTF-8 text. */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    public boolean successful() {
        return status >= 200 && status < 300;
    }
}
