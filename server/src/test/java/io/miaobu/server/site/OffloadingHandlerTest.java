package io.miaobu.server.site;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable.InvocationType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OffloadingHandlerTest {

    @TempDir
    static Path temp;

    private static final CountDownLatch RELEASE_SLOW_REQUEST = new CountDownLatch(1);
    private static final CountDownLatch SLOW_REQUEST_STARTED = new CountDownLatch(1);

    private static Server server;
    private static int port;
    private static HttpClient client;

    @BeforeAll
    static void startServer() throws Exception {
        Path site = Files.createDirectories(temp.resolve("site"));
        Files.writeString(site.resolve("index.html"), "site home");
        SiteLookup lookup = label -> label.equals("site") ? Optional.of(new ServedSite(site, false)) : Optional.empty();

        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        server.addConnector(connector);
        server.setHandler(new Handler.Sequence(new SiteServer(lookup, "localhost"),
                new OffloadingHandler(new BlockingApp())));
        server.start();
        port = connector.getLocalPort();
        client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stopServer() throws Exception {
        RELEASE_SLOW_REQUEST.countDown();
        server.stop();
    }

    @Test
    void keepsTheHandlerTreeNonBlocking() {
        assertThat(server.getHandler().getInvocationType()).isEqualTo(InvocationType.NON_BLOCKING);
        assertThat(new Handler.Sequence(new SiteServer(label -> Optional.empty(), "localhost"), new BlockingApp())
                .getInvocationType()).as("what happens without it").isEqualTo(InvocationType.BLOCKING);
    }

    @Test
    void sitesAreServedWhileTheAppBlocks() throws Exception {
        CompletableFuture<HttpResponse<String>> slow = client.sendAsync(request("app.example", "/slow").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(SLOW_REQUEST_STARTED.await(10, TimeUnit.SECONDS)).isTrue();

        for (int i = 0; i < 20; i++) {
            HttpResponse<String> site = send(request("site.localhost", "/").build());
            assertThat(site.statusCode()).isEqualTo(200);
            assertThat(site.body()).isEqualTo("site home");
        }
        assertThat(slow).isNotDone();

        RELEASE_SLOW_REQUEST.countDown();
        HttpResponse<String> app = slow.get(10, TimeUnit.SECONDS);
        assertThat(app.statusCode()).isEqualTo(200);
        assertThat(app.body()).isEqualTo("slow app done");
    }

    @Test
    void theAppReadsRequestBodiesWithBlockingIo() throws Exception {
        String body = "x".repeat(300_000);
        HttpResponse<String> response = send(request("app.example", "/echo-length")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("300000");
    }

    @Test
    void requestsTheAppDeclinesGet404() throws Exception {
        assertThat(send(request("app.example", "/declined").build()).statusCode()).isEqualTo(404);
    }

    @Test
    void appFailuresBecome500WithoutAStackTrace() throws Exception {
        HttpResponse<String> response = send(request("app.example", "/fail").build());
        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.body()).doesNotContain("at io.miaobu", "IllegalStateException");
    }

    private static HttpRequest.Builder request(String host, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Host", host)
                .timeout(Duration.ofSeconds(20));
    }

    private static HttpResponse<String> send(HttpRequest request) throws Exception {
        return client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** Blocks the calling thread the way Jersey does. */
    private static final class BlockingApp extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            switch (request.getHttpURI().getPath()) {
                case "/slow" -> {
                    SLOW_REQUEST_STARTED.countDown();
                    RELEASE_SLOW_REQUEST.await();
                    Content.Sink.write(response, true, "slow app done", callback);
                }
                case "/echo-length" -> {
                    String body = Content.Source.asString(request, StandardCharsets.UTF_8);
                    Content.Sink.write(response, true, String.valueOf(body.length()), callback);
                }
                case "/fail" -> throw new IllegalStateException("boom at io.miaobu.Secret");
                default -> {
                    return false;
                }
            }
            return true;
        }
    }
}
