package io.miaobu.api.testkit;

import io.miaobu.api.host.AddressNotAllowedException;
import io.miaobu.api.host.OutboundHttp;
import io.miaobu.api.host.OutboundRequest;
import io.miaobu.api.host.OutboundResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An {@link OutboundHttp} for tests: it records every request and answers from a script instead of the network.
 *
 * <pre>{@code
 * var http = RecordingOutboundHttp.answering(RecordingOutboundHttp.status(202, "queued"));
 * var notifier = new MyNotifier(http, Clock.systemUTC());
 * notifier.deliver(event, context);
 * assertThat(RecordingOutboundHttp.bodyText(http.lastRequest())).contains("deployment #42");
 * }</pre>
 *
 * <p>It behaves like the host's client where a plugin can tell: only absolute {@code http} and {@code https} URLs with
 * a host are sent (anything else fails with an {@link IOException}, as on the server); a host {@linkplain #refuse
 * refused} here throws {@link AddressNotAllowedException}, as the host does for internal addresses the admin has not
 * allowed; a 3xx answer is returned as it is (redirects are not followed); bodies are cut at
 * {@link OutboundResponse#BODY_LIMIT}; an interrupted caller gets {@link InterruptedException} before anything is
 * sent. It does not resolve names or open connections. To test against a real receiver (a local HTTP server in your
 * test), write an {@code Answer} that calls it.
 *
 * <p>Thread-safe: a plugin may send from several threads at once. Every call of {@link #send} is recorded, also those
 * that were refused or failed.
 */
public final class RecordingOutboundHttp implements OutboundHttp {

    /** How the fake answers one request. */
    @FunctionalInterface
    public interface Answer {

        /**
         * The response to {@code request}.
         *
         * @throws IOException          to make the call fail as a network error or a timeout would
         * @throws InterruptedException to act as if the caller was interrupted while waiting
         */
        OutboundResponse answer(OutboundRequest request) throws IOException, InterruptedException;
    }

    private final List<Answer> script;
    private final AtomicInteger answered = new AtomicInteger();
    private final List<OutboundRequest> requests = new CopyOnWriteArrayList<>();
    private final Set<String> refusedHosts = ConcurrentHashMap.newKeySet();

    private RecordingOutboundHttp(List<Answer> script) {
        this.script = List.copyOf(script);
    }

    /** A fake that answers every request with {@code 200 OK} and no body. */
    public RecordingOutboundHttp() {
        this(List.of(status(200, "")));
    }

    /**
     * A fake that answers the first request with {@code first}, the next with the next answer given, and every later
     * request with the last one: {@code answering(status(503, ""), status(200, ""))} fails once, then succeeds.
     */
    public static RecordingOutboundHttp answering(Answer first, Answer... then) {
        Answer[] all = new Answer[then.length + 1];
        all[0] = Objects.requireNonNull(first, "first");
        System.arraycopy(then, 0, all, 1, then.length);
        return new RecordingOutboundHttp(Arrays.asList(all));
    }

    /** An answer with this status, its usual reason phrase (or none) and {@code body} as UTF-8. */
    public static Answer status(int status, String body) {
        OutboundResponse response = new OutboundResponse(status, reasonPhrase(status),
                body.getBytes(StandardCharsets.UTF_8));
        return request -> response;
    }

    /** An answer that fails the call with {@code failure}, as a refused connection or a timeout would. */
    public static Answer failure(IOException failure) {
        Objects.requireNonNull(failure, "failure");
        return request -> {
            throw failure;
        };
    }

    /**
     * Refuses calls to {@code host} from now on with {@link AddressNotAllowedException}, worded as the host words it
     * for an address the admin has not allowed.
     *
     * @return this fake
     */
    public RecordingOutboundHttp refuse(String host) {
        refusedHosts.add(host.toLowerCase(Locale.ROOT));
        return this;
    }

    /**
     * Records the request, then answers it from the script.
     *
     * @throws AddressNotAllowedException when its host was {@linkplain #refuse refused}
     * @throws IOException                when the URL is not an absolute http(s) URL, or the answer says so
     * @throws InterruptedException       when the calling thread is interrupted
     */
    @Override
    public OutboundResponse send(OutboundRequest request) throws IOException, InterruptedException {
        requests.add(request);
        if (Thread.interrupted()) {
            throw new InterruptedException("interrupted before sending to " + request.uri().getHost());
        }
        String scheme = request.uri().getScheme() == null ? "" : request.uri().getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || request.uri().getHost() == null) {
            throw new IOException("Only absolute http and https URLs can be called, not '" + request.uri() + "'.");
        }
        String host = request.uri().getHost().toLowerCase(Locale.ROOT);
        if (refusedHosts.contains(host)) {
            throw new AddressNotAllowedException("'" + host + "' resolves to 127.0.0.1, loopback, which Miaobu does"
                    + " not call. An admin can allow it with outbound.allowed.networks.");
        }
        int turn = answered.getAndIncrement();
        OutboundResponse response = script.get(Math.min(turn, script.size() - 1)).answer(request);
        byte[] body = response.body();
        if (body.length > OutboundResponse.BODY_LIMIT) {
            return new OutboundResponse(response.status(), response.reason(),
                    Arrays.copyOf(body, OutboundResponse.BODY_LIMIT));
        }
        return response;
    }

    /** Every request {@link #send} was called with, in order. */
    public List<OutboundRequest> requests() {
        return List.copyOf(requests);
    }

    /**
     * The latest request.
     *
     * @throws AssertionError when nothing was sent
     */
    public OutboundRequest lastRequest() {
        List<OutboundRequest> all = requests();
        if (all.isEmpty()) {
            throw new AssertionError("No request was sent.");
        }
        return all.get(all.size() - 1);
    }

    /** A request's body as UTF-8 text. */
    public static String bodyText(OutboundRequest request) {
        return new String(request.body(), StandardCharsets.UTF_8);
    }

    private static String reasonPhrase(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 201 -> "Created";
            case 202 -> "Accepted";
            case 204 -> "No Content";
            case 301 -> "Moved Permanently";
            case 302 -> "Found";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 410 -> "Gone";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            default -> "";
        };
    }
}
