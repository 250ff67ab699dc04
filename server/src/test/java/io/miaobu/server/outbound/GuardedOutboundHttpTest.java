package io.miaobu.server.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.miaobu.api.host.AddressNotAllowedException;
import io.miaobu.api.host.OutboundRequest;
import io.miaobu.api.host.OutboundResponse;
import io.miaobu.server.http.AddressRanges;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GuardedOutboundHttpTest {

    private HttpServer receiver;
    private final AtomicReference<String> received = new AtomicReference<>();

    @BeforeEach
    void startReceiver() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/hook", exchange -> {
            received.set(exchange.getRequestMethod() + " " + exchange.getRequestHeaders().getFirst("X-Test") + " "
                    + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] answer = "thanks".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(202, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        receiver.createContext("/moved", exchange -> {
            exchange.getResponseHeaders().add("Location", "http://169.254.169.254/latest/meta-data/");
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        receiver.createContext("/big", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            byte[] chunk = new byte[16 * 1024];
            for (int i = 0; i < 16; i++) {
                exchange.getResponseBody().write(chunk);
            }
            exchange.close();
        });
        receiver.start();
    }

    @AfterEach
    void stopReceiver() {
        receiver.stop(0);
    }

    @Test
    void loopbackIsRefusedByDefaultBeforeAnythingIsSent() throws Exception {
        var http = started(OutboundAddressPolicy.publicOnly());
        try {
            for (String host : new String[] {"127.0.0.1", "localhost"}) {
                assertThatThrownBy(() -> http.send(post(host, "/hook")))
                        .isInstanceOf(AddressNotAllowedException.class)
                        .hasMessageContaining("'" + host + "' resolves to")
                        .hasMessageContaining("a loopback address")
                        .hasMessageContaining("outbound.allowed.networks");
            }
            assertThat(received.get()).isNull();
        } finally {
            http.stop();
        }
    }

    @Test
    void anAllowedNetworkIsCalledWithTheRequestAsGiven() throws Exception {
        var http = started(new OutboundAddressPolicy(AddressRanges.parse("127.0.0.0/8")));
        try {
            OutboundResponse response = http.send(post("127.0.0.1", "/hook"));

            assertThat(response.status()).isEqualTo(202);
            assertThat(response.bodyText()).isEqualTo("thanks");
            assertThat(received.get()).isEqualTo("POST yes {\"a\":1}");
        } finally {
            http.stop();
        }
    }

    @Test
    void redirectsAreNotFollowedAndBodiesAreCapped() throws Exception {
        var http = started(new OutboundAddressPolicy(AddressRanges.parse("127.0.0.0/8")));
        try {
            assertThat(http.send(post("127.0.0.1", "/moved")).status()).isEqualTo(302);
            OutboundResponse big = http.send(new OutboundRequest("GET", uri("127.0.0.1", "/big"), Map.of(), null,
                    Duration.ofSeconds(5)));
            assertThat(big.body()).hasSize(OutboundResponse.BODY_LIMIT);
        } finally {
            http.stop();
        }
    }

    @Test
    void aReceiverThatNeverAnswersFailsWithinTheTimeout() throws Exception {
        var http = started(new OutboundAddressPolicy(AddressRanges.parse("127.0.0.0/8")));
        try (var silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            var accepted = new AtomicReference<Socket>();
            Thread acceptor = new Thread(() -> {
                try {
                    accepted.set(silent.accept());
                } catch (IOException e) {
                    // closed
                }
            });
            acceptor.start();
            long start = System.nanoTime();
            var request = new OutboundRequest("POST", URI.create("http://127.0.0.1:" + silent.getLocalPort() + "/"),
                    Map.of(), new byte[] {1}, Duration.ofMillis(800));

            assertThatThrownBy(() -> http.send(request)).isInstanceOf(IOException.class)
                    .hasMessageContaining("No answer from 127.0.0.1");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            acceptor.join(5_000);
            if (accepted.get() != null) {
                accepted.get().close();
            }
        } finally {
            http.stop();
        }
    }

    private OutboundRequest post(String host, String path) {
        return OutboundRequest.post(uri(host, path), "application/json", "{\"a\":1}".getBytes(StandardCharsets.UTF_8),
                Map.of("X-Test", "yes"));
    }

    private URI uri(String host, String path) {
        return URI.create("http://" + host + ":" + receiver.getAddress().getPort() + path);
    }

    private static GuardedOutboundHttp started(OutboundAddressPolicy policy) throws Exception {
        var http = new GuardedOutboundHttp(policy);
        http.start();
        return http;
    }
}
