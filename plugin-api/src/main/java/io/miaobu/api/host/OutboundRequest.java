package io.miaobu.api.host;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One outgoing HTTP request.
 *
 * @param method  GET, POST, ...
 * @param uri     an absolute http or https URI
 * @param headers request headers (one value each)
 * @param body    the body, empty for none
 * @param timeout the whole exchange's limit
 */
public record OutboundRequest(String method, URI uri, Map<String, String> headers, byte[] body, Duration timeout) {

    public OutboundRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(uri, "uri");
        headers = Map.copyOf(new LinkedHashMap<>(headers == null ? Map.of() : headers));
        body = body == null ? new byte[0] : body.clone();
        timeout = timeout == null ? Duration.ofSeconds(10) : timeout;
    }

    /** A POST of {@code body} as {@code contentType}, 10 s. */
    public static OutboundRequest post(URI uri, String contentType, byte[] body, Map<String, String> headers) {
        var all = new LinkedHashMap<String, String>(headers == null ? Map.of() : headers);
        all.put("Content-Type", contentType);
        return new OutboundRequest("POST", uri, all, body, Duration.ofSeconds(10));
    }

    @Override
    public byte[] body() {
        return body.clone();
    }
}
