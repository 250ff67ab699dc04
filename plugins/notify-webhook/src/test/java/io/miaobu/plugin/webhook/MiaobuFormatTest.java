package io.miaobu.plugin.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.miaobu.api.notify.DeliveryReceipt;
import io.miaobu.api.notify.DeploymentRef;
import io.miaobu.api.notify.NotificationEvent;
import io.miaobu.api.notify.NotificationEvent.CertificateExpiring;
import io.miaobu.api.notify.NotificationEvent.CertificateIssued;
import io.miaobu.api.notify.NotificationEvent.DeploymentFailed;
import io.miaobu.api.notify.NotificationEvent.DeploymentQueued;
import io.miaobu.api.notify.NotificationEvent.DeploymentSucceeded;
import io.miaobu.api.notify.NotificationEvent.DomainChecked;
import io.miaobu.api.notify.NotificationEvent.PluginFailed;
import io.miaobu.api.notify.NotificationEvent.PreviewRemoved;
import io.miaobu.api.notify.NotificationEvent.RolledBack;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The {@code miaobu} format: schema 1 bodies and their headers, as a receiver on 127.0.0.1 gets them. */
class MiaobuFormatTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant SENT = Instant.parse("2025-03-01T12:00:05Z");

    private final TestReceiver receiver = new TestReceiver();
    private final WebhookNotifier notifier = new WebhookNotifier(JdkOutboundHttp.open(),
            Clock.fixed(SENT, ZoneOffset.UTC));

    MiaobuFormatTest() throws IOException {
    }

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    @Test
    void postsSignedJsonWithItsHeaders() throws Exception {
        var event = new DeploymentFailed(Events.AT, Events.PROJECT, Events.DEPLOYMENT, "Build failed");

        DeliveryReceipt receipt = notifier.deliver(event,
                Events.channel(receiver.url("/hooks/miaobu"), "miaobu", Events.SECRET));

        assertThat(receipt.statusCode()).isEqualTo(200);
        assertThat(receipt.detail()).isEqualTo("200 OK");
        TestReceiver.Received request = receiver.next();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.uri().getPath()).isEqualTo("/hooks/miaobu");
        assertThat(request.header("Content-Type")).isEqualTo("application/json");
        assertThat(request.header("User-Agent")).isEqualTo("Miaobu-Webhook/1");
        assertThat(request.header("X-Miaobu-Event")).isEqualTo("deployment.failed");
        assertThat(request.header("X-Miaobu-Delivery")).isEqualTo(Events.DELIVERY);
        assertThat(request.header("X-Miaobu-Timestamp")).isEqualTo(Long.toString(SENT.getEpochSecond()));
        assertThat(request.header("X-Miaobu-Signature")).matches("v1=[0-9a-f]{64}");
        assertThat(WebhookSignature.verify(Events.SECRET, request.header("X-Miaobu-Timestamp"), request.body(),
                request.header("X-Miaobu-Signature"), Duration.ofMinutes(5), SENT.plusSeconds(1))).isTrue();
    }

    static Stream<Arguments> events() {
        var queued = new DeploymentRef(43, "main", "", Events.DEPLOYMENT.page(), null);
        return Stream.of(
                Arguments.of("deployment-queued", new DeploymentQueued(Events.AT, Events.PROJECT, queued)),
                Arguments.of("deployment-succeeded",
                        new DeploymentSucceeded(Events.AT, Events.PROJECT, Events.DEPLOYMENT)),
                Arguments.of("deployment-failed",
                        new DeploymentFailed(Events.AT, Events.PROJECT, Events.DEPLOYMENT, "Build failed")),
                Arguments.of("rolled-back", new RolledBack(Events.AT, Events.PROJECT, Events.DEPLOYMENT, "alice")),
                Arguments.of("preview-removed", new PreviewRemoved(Events.AT, Events.PROJECT, "pr-12")),
                Arguments.of("certificate-renewed", new CertificateIssued(Events.AT, null, "shop.example.com",
                        Instant.parse("2025-05-30T12:00:00Z"), true)),
                Arguments.of("certificate-expiring", new CertificateExpiring(Events.AT, Events.PROJECT,
                        "shop.example.com", Instant.parse("2025-03-08T12:00:00Z"), "DNS record not found")),
                Arguments.of("domain-failed", new DomainChecked(Events.AT, Events.PROJECT, "shop.example.com",
                        false, "No CNAME record points to miaobu.example.com")),
                Arguments.of("plugin-failed", new PluginFailed(Events.AT, "aliyun", "Missing class com.aliyun.X")),
                Arguments.of("test", new NotificationEvent.Test(Events.AT, "alice")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("events")
    void sendsSchemaOneWithTheFieldsOfEachKind(String name, NotificationEvent event) throws Exception {
        notifier.deliver(event, Events.channel(receiver.url("/"), "miaobu", Events.SECRET));

        JsonNode body = JSON.readTree(receiver.next().body());
        assertThat(body.toPrettyString()).isEqualTo(fixture(name).toPrettyString());
        var names = new ArrayList<String>();
        body.fieldNames().forEachRemaining(names::add);
        assertThat(names).startsWith("schema", "id", "event", "at", "summary", "project", "deployment");
    }

    @Test
    void escapesQuotesNewlinesControlCharactersAndUnicode() throws Exception {
        String reason = "\"npm run build\" exited with 1\nError: ☃ 漢字 😀 \\ \u0001 </script>";
        var event = new DeploymentFailed(Events.AT, Events.PROJECT, Events.DEPLOYMENT, reason);

        notifier.deliver(event, Events.channel(receiver.url("/"), "miaobu", Events.SECRET));

        TestReceiver.Received request = receiver.next();
        String raw = request.bodyText();
        assertThat(raw).contains("\"reason\":\"\\\"npm run build\\\" exited with 1\\nError: ☃ 漢字 ")
                .contains(" \\\\ \\u0001 </script>\"");
        // Jackson writes characters beyond the BMP as an escaped surrogate pair, which every JSON parser decodes
        assertThat(raw).containsAnyOf("😀", "\\uD83D\\uDE00");
        assertThat(raw).doesNotContain("\n");
        assertThat(JSON.readTree(request.body()).get("reason").asText()).isEqualTo(reason);
    }

    @Test
    void keepsTheDeliveryIdAndBodyOnARetryAndSignsItAgain() throws Exception {
        var event = new DeploymentSucceeded(Events.AT, Events.PROJECT, Events.DEPLOYMENT);
        var later = new WebhookNotifier(JdkOutboundHttp.open(), Clock.fixed(SENT.plusSeconds(90), ZoneOffset.UTC));

        notifier.deliver(event, Events.channel(receiver.url("/"), "miaobu", Events.SECRET, Events.DELIVERY, 1));
        later.deliver(event, Events.channel(receiver.url("/"), "miaobu", Events.SECRET, Events.DELIVERY, 2));

        TestReceiver.Received first = receiver.next();
        TestReceiver.Received retry = receiver.next();
        assertThat(retry.header("X-Miaobu-Delivery")).isEqualTo(first.header("X-Miaobu-Delivery"))
                .isEqualTo(Events.DELIVERY);
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(retry.header("X-Miaobu-Timestamp")).isEqualTo(Long.toString(SENT.getEpochSecond() + 90));
        assertThat(retry.header("X-Miaobu-Signature")).isNotEqualTo(first.header("X-Miaobu-Signature"));
        assertThat(WebhookSignature.verify(Events.SECRET, retry.header("X-Miaobu-Timestamp"), retry.body(),
                retry.header("X-Miaobu-Signature"), Duration.ofMinutes(5), SENT.plusSeconds(90))).isTrue();
    }

    @Test
    void sendsNoSignatureWithoutASecret() throws Exception {
        notifier.deliver(new NotificationEvent.Test(Events.AT, "alice"),
                Events.channel(receiver.url("/"), "miaobu", null));

        TestReceiver.Received request = receiver.next();
        assertThat(request.header("X-Miaobu-Signature")).isNull();
        assertThat(request.header("X-Miaobu-Timestamp")).isNotNull();
        assertThat(JSON.readTree(request.body()).get("event").asText()).isEqualTo("test");
    }

    private JsonNode fixture(String name) throws IOException {
        try (InputStream in = MiaobuFormatTest.class.getResourceAsStream("MiaobuFormatTest/" + name + ".json")) {
            assertThat(in).as("fixture " + name).isNotNull();
            return JSON.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }
}
