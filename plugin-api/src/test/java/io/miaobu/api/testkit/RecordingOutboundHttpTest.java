package io.miaobu.api.testkit;

import static io.miaobu.api.testkit.RecordingOutboundHttp.failure;
import static io.miaobu.api.testkit.RecordingOutboundHttp.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.miaobu.api.host.AddressNotAllowedException;
import io.miaobu.api.host.OutboundRequest;
import io.miaobu.api.host.OutboundResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordingOutboundHttpTest {

    private static final OutboundRequest POST = OutboundRequest.post(URI.create("https://hooks.example.com/x"),
            "text/plain", "hello".getBytes(StandardCharsets.UTF_8), Map.of("X-Test", "1"));

    @Test
    void answersOkAndRecordsTheRequest() throws Exception {
        var http = new RecordingOutboundHttp();

        OutboundResponse response = http.send(POST);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.reason()).isEqualTo("OK");
        assertThat(http.requests()).containsExactly(POST);
        assertThat(RecordingOutboundHttp.bodyText(http.lastRequest())).isEqualTo("hello");
        assertThat(http.lastRequest().headers()).containsEntry("Content-Type", "text/plain");
    }

    @Test
    void answersInTurnAndRepeatsTheLastAnswer() throws Exception {
        var http = RecordingOutboundHttp.answering(status(503, "busy"), status(202, "queued"));

        assertThat(http.send(POST).status()).isEqualTo(503);
        assertThat(http.send(POST).bodyText()).isEqualTo("queued");
        assertThat(http.send(POST).status()).isEqualTo(202);
        assertThat(http.requests()).hasSize(3);
    }

    @Test
    void failsLikeTheNetworkWhenToldTo() {
        var http = RecordingOutboundHttp.answering(failure(new IOException("connection refused")));

        assertThatThrownBy(() -> http.send(POST)).isInstanceOf(IOException.class).hasMessage("connection refused");
    }

    @Test
    void refusesHostsLikeTheHostRefusesInternalAddresses() {
        var http = new RecordingOutboundHttp().refuse("Hooks.Example.com");

        assertThatThrownBy(() -> http.send(POST)).isInstanceOf(AddressNotAllowedException.class)
                .hasMessageContaining("'hooks.example.com' resolves to")
                .hasMessageContaining("outbound.allowed.networks");
        assertThat(http.requests()).hasSize(1);
    }

    @Test
    void sendsOnlyAbsoluteHttpUrls() {
        var http = new RecordingOutboundHttp();
        var ftp = new OutboundRequest("GET", URI.create("ftp://files.example.com/x"), Map.of(), null, null);

        assertThatThrownBy(() -> http.send(ftp)).isInstanceOf(IOException.class)
                .hasMessage("Only absolute http and https URLs can be called, not 'ftp://files.example.com/x'.");
    }

    @Test
    void throwsWhenTheCallerIsInterrupted() {
        var http = new RecordingOutboundHttp();
        Thread.currentThread().interrupt();

        try {
            assertThatThrownBy(() -> http.send(POST)).isInstanceOf(InterruptedException.class);
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void cutsBodiesAtTheHostsLimit() throws Exception {
        var http = RecordingOutboundHttp.answering(status(200, "x".repeat(OutboundResponse.BODY_LIMIT + 10)));

        assertThat(http.send(POST).body()).hasSize(OutboundResponse.BODY_LIMIT);
    }

    @Test
    void lastRequestFailsClearlyWhenNothingWasSent() {
        assertThatThrownBy(() -> new RecordingOutboundHttp().lastRequest()).isInstanceOf(AssertionError.class)
                .hasMessage("No request was sent.");
    }
}
