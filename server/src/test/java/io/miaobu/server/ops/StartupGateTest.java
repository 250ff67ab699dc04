package io.miaobu.server.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class StartupGateTest {

    private final StartupGate gate = new StartupGate();
    private final HttpClient http = HttpClient.newHttpClient();
    private Server server;
    private int port;

    @BeforeEach
    void listen() throws Exception {
        server = new Server();
        var connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(gate);
        server.start();
        port = connector.getLocalPort();
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
    }

    @Test
    void answersLivenessAndAsksEverythingElseToRetryWhileStarting() throws Exception {
        var live = get("/health/live");
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(live.body()).isEqualTo("{\"status\":\"STARTING\"}");

        var page = get("/projects");
        assertThat(page.statusCode()).isEqualTo(503);
        assertThat(page.headers().firstValue("Retry-After")).hasValue("2");
        assertThat(get("/health/ready").statusCode()).isEqualTo(503);
    }

    @Test
    void sendsEveryRequestToTheApplicationOnceOpen() throws Exception {
        gate.open(new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.write(true, ByteBuffer.wrap(("app " + Request.getPathInContext(request))
                        .getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        });

        assertThat(get("/health/live").body()).isEqualTo("app /health/live");
        assertThat(get("/projects").statusCode()).isEqualTo(200);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
