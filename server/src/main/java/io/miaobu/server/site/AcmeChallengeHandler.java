package io.miaobu.server.site;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Answers {@code GET /.well-known/acme-challenge/<token>} on every host (custom domains, site hosts and the app's own)
 * with the key authorization published for the token, as {@code text/plain}; 404 for any other token. The CA fetches
 * it over plain HTTP, so this comes before the app's HTTPS enforcement. Looking a token up may read the database, so
 * this handler sits behind {@link OffloadingHandler}; {@link SiteServer} leaves these paths to it.
 */
public final class AcmeChallengeHandler extends Handler.Abstract {

    public static final String PATH_PREFIX = "/.well-known/acme-challenge/";

    private final ChallengeResponses responses;

    public AcmeChallengeHandler(ChallengeResponses responses) {
        this.responses = Objects.requireNonNull(responses, "responses");
    }

    static boolean isChallenge(Request request) {
        String path = request.getHttpURI().getPath();
        return path != null && path.startsWith(PATH_PREFIX);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (!isChallenge(request)) {
            return false;
        }
        String method = request.getMethod();
        boolean head = HttpMethod.HEAD.is(method);
        if (!head && !HttpMethod.GET.is(method)) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
            send(response, callback, HttpStatus.METHOD_NOT_ALLOWED_405, "Method not allowed\n", false);
            return true;
        }
        String token = request.getHttpURI().getPath().substring(PATH_PREFIX.length());
        Optional<String> answer = isToken(token) ? responses.keyAuthorization(token) : Optional.empty();
        if (answer.isPresent()) {
            send(response, callback, HttpStatus.OK_200, answer.get(), head);
        } else {
            send(response, callback, HttpStatus.NOT_FOUND_404, "No such challenge\n", head);
        }
        return true;
    }

    /** ACME tokens are base64url (RFC 8555 §8.3); anything else is not one of ours. */
    public static boolean isToken(String token) {
        if (token.isEmpty() || token.length() > 255) {
            return false;
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
                    || c == '_';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static void send(Response response, Callback callback, int status, String body, boolean head) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        if (head) {
            callback.succeeded();
        } else {
            response.write(true, ByteBuffer.wrap(bytes), callback);
        }
    }
}
