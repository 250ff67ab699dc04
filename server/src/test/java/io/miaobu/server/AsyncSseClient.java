package io.miaobu.server;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.function.Consumer;

/**
 * A client of a deployment's SSE log stream without a thread of its own, so that hundreds of them fit in a test: the
 * JDK's HttpClient parses the body as its lines arrive and hands each event to a listener. One created paused reads
 * one line and then nothing, as a browser tab that stopped reading, until {@link #resume}.
 */
final class AsyncSseClient {

    private final LineParser parser;
    private final CompletableFuture<Void> done = new CompletableFuture<>();

    private AsyncSseClient(Consumer<SseClient.Event> listener, boolean paused) {
        this.parser = new LineParser(listener, paused);
    }

    /**
     * Connects to {@code /api/v1/deployments/{id}/events}, with the query (such as {@code after=10}) and the
     * {@code Last-Event-ID} unless they are null; completes once the response's headers are in.
     */
    static CompletableFuture<AsyncSseClient> connect(HttpClient http, TestServer server, long deploymentId,
                                                     String query, String lastEventId, boolean paused,
                                                     Consumer<SseClient.Event> listener) throws Exception {
        String path = "/api/v1/deployments/" + deploymentId + "/events" + (query == null ? "" : "?" + query);
        var request = HttpRequest.newBuilder(server.uri(path))
                .header("Accept", "text/event-stream")
                .header("Authorization", "Bearer " + server.token());
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        var client = new AsyncSseClient(listener, paused);
        var connected = new CompletableFuture<AsyncSseClient>();
        http.sendAsync(request.GET().build(), info -> {
            if (info.statusCode() != 200) {
                connected.completeExceptionally(new AssertionError("events answered " + info.statusCode()));
                return HttpResponse.BodySubscribers.discarding();
            }
            connected.complete(client);
            return HttpResponse.BodySubscribers.fromLineSubscriber(client.parser);
        }).whenComplete((response, failure) -> {
            if (failure != null) {
                connected.completeExceptionally(failure);
            }
            client.done.complete(null);
        });
        return connected;
    }

    /** Completes when the stream has ended: the server closed it (after {@code end}, or dropping the client). */
    CompletableFuture<Void> done() {
        return done;
    }

    /** Reads on, after being created paused. */
    void resume() {
        parser.resume();
    }

    /** Leaves. */
    void close() {
        parser.cancel();
    }

    /** Parses {@code text/event-stream} lines into events. */
    private static final class LineParser implements Flow.Subscriber<String> {

        private final Consumer<SseClient.Event> listener;
        private volatile boolean paused;
        private volatile Flow.Subscription subscription;
        private String name = "message";
        private String id;
        private StringBuilder data;

        LineParser(Consumer<SseClient.Event> listener, boolean paused) {
            this.listener = listener;
            this.paused = paused;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(paused ? 1 : Long.MAX_VALUE);
        }

        @Override
        public void onNext(String line) {
            if (line.isEmpty()) {
                if (data != null) {
                    listener.accept(new SseClient.Event(name, id, data.toString()));
                }
                name = "message";
                id = null;
                data = null;
            } else if (line.startsWith("event:")) {
                name = line.substring(6).strip();
            } else if (line.startsWith("id:")) {
                id = line.substring(3).strip();
            } else if (line.startsWith("data:")) {
                String value = line.substring(5);
                value = value.startsWith(" ") ? value.substring(1) : value;
                data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
            }
        }

        void resume() {
            if (paused) {
                paused = false;
                subscription.request(Long.MAX_VALUE);
            }
        }

        void cancel() {
            Flow.Subscription current = subscription;
            if (current != null) {
                current.cancel();
            }
        }

        @Override
        public void onError(Throwable failure) {
            // the server dropped the connection; done() completes all the same
        }

        @Override
        public void onComplete() {
        }
    }
}
