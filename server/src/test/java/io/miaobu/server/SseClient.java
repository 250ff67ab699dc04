package io.miaobu.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/** A client of a deployment's SSE log stream that collects the events on a thread of its own until told to leave. */
final class SseClient implements AutoCloseable {

    /** One event: its name, its id (null when it has none) and its data. */
    record Event(String name, String id, String data) {
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final List<Event> events = new ArrayList<>();
    private final InputStream body;
    private final Thread reader;
    private volatile boolean finished;

    private SseClient(InputStream body) {
        this.body = body;
        this.reader = new Thread(this::read, "sse-client");
        reader.setDaemon(true);
        reader.start();
    }

    /** Connects to {@code /api/v1/deployments/{id}/events}, with this {@code Last-Event-ID} unless it is null. */
    static SseClient connect(TestServer server, long deploymentId, String lastEventId) throws Exception {
        var request = HttpRequest.newBuilder(server.uri("/api/v1/deployments/" + deploymentId + "/events"))
                .header("Accept", "text/event-stream")
                .header("Authorization", "Bearer " + server.token());
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<InputStream> response = HTTP.send(request.GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            throw new AssertionError("events answered " + response.statusCode());
        }
        return new SseClient(response.body());
    }

    private void read() {
        try (var lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String name = "message";
            String id = null;
            StringBuilder data = null;
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isEmpty()) {
                    if (data != null) {
                        add(new Event(name, id, data.toString()));
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
        } catch (IOException e) {
            // closed by close(), or the server ended the stream
        } finally {
            finished = true;
        }
    }

    private synchronized void add(Event event) {
        events.add(event);
    }

    synchronized List<Event> events() {
        return List.copyOf(events);
    }

    /** Waits until an event matches, or fails after {@code limit}. */
    Event await(Predicate<Event> condition, Duration limit) {
        Instant deadline = Instant.now().plus(limit);
        while (Instant.now().isBefore(deadline)) {
            for (Event event : events()) {
                if (condition.test(event)) {
                    return event;
                }
            }
            if (finished) {
                break;
            }
            LockSupport.parkNanos(5_000_000);
        }
        throw new AssertionError("no such event within " + limit + "; got " + events().size() + " events, last: "
                + (events().isEmpty() ? "none" : events().get(events().size() - 1)));
    }

    /** Waits for the {@code end} event and the end of the response. */
    List<Event> awaitEnd(Duration limit) {
        await(event -> event.name().equals("end"), limit);
        return events();
    }

    /** Leaves: closes the connection, as a browser tab that is closed. */
    @Override
    public void close() throws Exception {
        body.close();
        reader.join(5_000);
    }
}
