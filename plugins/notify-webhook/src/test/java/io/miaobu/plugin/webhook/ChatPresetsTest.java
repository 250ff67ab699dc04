package io.miaobu.plugin.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.miaobu.api.notify.DeliveryFailedException;
import io.miaobu.api.notify.DeliveryReceipt;
import io.miaobu.api.notify.NotDeliverableException;
import io.miaobu.api.notify.NotificationEvent.DeploymentFailed;
import io.miaobu.api.notify.NotificationEvent.PluginFailed;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Slack, DingTalk and Feishu presets against a local stand-in that answers as those services do. Signatures are
 * recomputed here from the vendors' documented recipes, not with the plugin's code.
 */
class ChatPresetsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant SENT = Instant.parse("2025-03-01T12:00:05Z");
    private static final String DINGTALK_SECRET = "SEC3f1c7a5e9b2d4c6e8f0a1b3c5d7e9f1a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f";
    private static final String FEISHU_SECRET = "nIMtb7r3N9pkXyXdtAbx6e";
    private static final DeploymentFailed FAILED = new DeploymentFailed(Events.AT, Events.PROJECT,
            Events.DEPLOYMENT, "Build failed");

    private final TestReceiver receiver = new TestReceiver();
    private final WebhookNotifier notifier = new WebhookNotifier(JdkOutboundHttp.open(),
            Clock.fixed(SENT, ZoneOffset.UTC));

    ChatPresetsTest() throws IOException {
    }

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    @Test
    void postsASlackMessageWithLinks() throws Exception {
        receiver.answer(200, "ok");

        DeliveryReceipt receipt = notifier.deliver(FAILED,
                Events.channel(receiver.url("/services/T000/B000/XXXX"), "slack", null));

        assertThat(receipt.detail()).isEqualTo("200 OK");
        TestReceiver.Received request = receiver.next();
        assertThat(request.header("Content-Type")).isEqualTo("application/json");
        assertThat(request.header("X-Miaobu-Signature")).isNull();
        JsonNode body = JSON.readTree(request.body());
        assertThat(fieldNames(body)).containsExactly("text");
        assertThat(body.get("text").asText()).isEqualTo("""
                *Shop: deployment #42 failed*
                Branch main, commit 0123456
                Build failed
                <https://miaobu.example.com/projects/shop/deployments/42|Deployment #42> · \
                <https://shop.example.com/|Open site>
                _Miaobu · deployment.failed_""");
    }

    @Test
    void escapesSlackControlCharacters() throws Exception {
        notifier.deliver(new DeploymentFailed(Events.AT, Events.PROJECT, Events.DEPLOYMENT,
                        "<!channel> a & b > c"), Events.channel(receiver.url("/"), "slack", null));

        assertThat(JSON.readTree(receiver.next().body()).get("text").asText())
                .contains("\n&lt;!channel&gt; a &amp; b &gt; c\n")
                .doesNotContain("<!channel>");
    }

    @Test
    void reportsSlacksErrorCode() {
        receiver.answer(400, "invalid_payload");

        assertThatThrownBy(() -> notifier.deliver(FAILED, Events.channel(receiver.url("/"), "slack", null)))
                .isInstanceOf(DeliveryFailedException.class)
                .isNotInstanceOf(NotDeliverableException.class)
                .hasMessage("HTTP 400 from 127.0.0.1: invalid_payload")
                .extracting(e -> ((DeliveryFailedException) e).statusCode()).isEqualTo(400);
    }

    @Test
    void postsDingTalkMarkdownToASignedUrl() throws Exception {
        receiver.answer(200, "{\"errcode\":0,\"errmsg\":\"ok\"}");

        DeliveryReceipt receipt = notifier.deliver(FAILED,
                Events.channel(receiver.url("/robot/send?access_token=abc123"), "dingtalk", DINGTALK_SECRET));

        assertThat(receipt.statusCode()).isEqualTo(200);
        TestReceiver.Received request = receiver.next();
        assertThat(request.uri().getPath()).isEqualTo("/robot/send");
        Map<String, String> query = query(request.uri());
        assertThat(query).containsOnlyKeys("access_token", "timestamp", "sign");
        assertThat(query.get("access_token")).isEqualTo("abc123");
        assertThat(query.get("timestamp")).isEqualTo(Long.toString(SENT.toEpochMilli()));
        // DingTalk: base64(HmacSHA256(key = secret, data = timestamp + "\n" + secret)), then URL-encoded
        String expected = base64(hmac(DINGTALK_SECRET, query.get("timestamp") + "\n" + DINGTALK_SECRET));
        assertThat(query.get("sign")).isEqualTo(expected);
        assertThat(request.uri().getRawQuery()).matches("access_token=abc123&timestamp=\\d+&sign=[A-Za-z0-9%]+");

        JsonNode body = JSON.readTree(request.body());
        assertThat(body.get("msgtype").asText()).isEqualTo("markdown");
        assertThat(body.at("/markdown/title").asText()).isEqualTo("Shop: deployment #42 failed");
        assertThat(body.at("/markdown/text").asText()).isEqualTo("""
                #### Shop: deployment #42 failed

                Branch main, commit 0123456

                Build failed

                [Deployment #42](https://miaobu.example.com/projects/shop/deployments/42) · \
                [Open site](https://shop.example.com/)

                ###### Miaobu · deployment.failed""");
    }

    @Test
    void signsDingTalkUrlsAsDingTalksExampleDoes() {
        // computed independently with DingTalk's Python example: quote_plus(b64encode(hmac(secret, ts\nsecret)))
        URI signed = DingTalkRobot.signedUrl(URI.create("https://oapi.dingtalk.com/robot/send?access_token=t"),
                "SECtest", 1_700_000_000_123L);

        assertThat(signed.toString()).isEqualTo("https://oapi.dingtalk.com/robot/send?access_token=t"
                + "&timestamp=1700000000123&sign=lrMq5E54T40t3FfGVjxdvoqIbXlWY6mzkZYiVoI6emk%3D");
    }

    @Test
    void leavesTheDingTalkUrlAloneWithoutASecret() throws Exception {
        receiver.answer(200, "{\"errcode\":0,\"errmsg\":\"ok\"}");

        notifier.deliver(FAILED, Events.channel(receiver.url("/robot/send?access_token=abc123"), "dingtalk", null));

        assertThat(receiver.next().uri().getRawQuery()).isEqualTo("access_token=abc123");
    }

    @Test
    void treatsADingTalkErrcodeInA200AsAFailure() {
        receiver.answer(200, "{\"errcode\":310000,\"errmsg\":\"sign not match, more: [https://ding-doc.dingtalk.com"
                + "/doc#/serverapi2/qf2nxq]\"}");

        assertThatThrownBy(() -> notifier.deliver(FAILED,
                Events.channel(receiver.url("/robot/send?access_token=abc123"), "dingtalk", DINGTALK_SECRET)))
                .isInstanceOf(DeliveryFailedException.class)
                .hasMessage("DingTalk refused the message: sign not match, more:"
                        + " [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq] (errcode 310000)")
                .extracting(e -> ((DeliveryFailedException) e).statusCode()).isEqualTo(200);
    }

    @Test
    void postsAFeishuRichTextMessageSignedInTheBody() throws Exception {
        receiver.answer(200, "{\"code\":0,\"data\":{},\"msg\":\"success\"}");

        DeliveryReceipt receipt = notifier.deliver(FAILED,
                Events.channel(receiver.url("/open-apis/bot/v2/hook/5e3d587e"), "feishu", FEISHU_SECRET));

        assertThat(receipt.statusCode()).isEqualTo(200);
        TestReceiver.Received request = receiver.next();
        assertThat(request.uri().getRawQuery()).isNull();
        JsonNode body = JSON.readTree(request.body());
        assertThat(body.get("timestamp").isTextual()).isTrue();
        assertThat(body.get("timestamp").asText()).isEqualTo(Long.toString(SENT.getEpochSecond()));
        // Feishu: base64(HmacSHA256(key = timestamp + "\n" + secret, data = nothing))
        String expected = base64(hmac(body.get("timestamp").asText() + "\n" + FEISHU_SECRET, ""));
        assertThat(body.get("sign").asText()).isEqualTo(expected);
        assertThat(body.get("msg_type").asText()).isEqualTo("post");
        assertThat(body.at("/content/post/zh_cn/title").asText()).isEqualTo("Shop: deployment #42 failed");
        assertThat(body.at("/content/post/zh_cn/content")).isEqualTo(JSON.readTree("""
                [
                  [{"tag": "text", "text": "Branch main, commit 0123456"}],
                  [{"tag": "text", "text": "Build failed"}],
                  [{"tag": "a", "text": "Deployment #42",
                    "href": "https://miaobu.example.com/projects/shop/deployments/42"},
                   {"tag": "text", "text": " · "},
                   {"tag": "a", "text": "Open site", "href": "https://shop.example.com/"}],
                  [{"tag": "text", "text": "Miaobu · deployment.failed"}]
                ]"""));
    }

    @Test
    void signsFeishuBodiesAsFeishusExampleDoes() {
        // computed independently: b64encode(hmac.new(b"1700000000\nfeishu-secret", b"", sha256).digest())
        assertThat(FeishuBot.sign("feishu-secret", 1_700_000_000L))
                .isEqualTo("OrBzY1Y01Gq+HgJsl+7OfWcMVwc7YocohQm5iiZwjhU=");
    }

    @Test
    void sendsFeishuUnsignedWithoutASecret() throws Exception {
        receiver.answer(200, "{\"StatusCode\":0,\"StatusMessage\":\"success\"}");

        notifier.deliver(new PluginFailed(Events.AT, "aliyun", "boom"),
                Events.channel(receiver.url("/open-apis/bot/v2/hook/5e3d587e"), "feishu", null));

        JsonNode body = JSON.readTree(receiver.next().body());
        assertThat(fieldNames(body)).containsExactly("msg_type", "content");
    }

    @Test
    void treatsAFeishuCodeInA200AsAFailure() {
        receiver.answer(200, "{\"code\":19021,\"data\":{},\"msg\":\"sign match fail or timestamp is not within one"
                + " hour from current time\"}");

        assertThatThrownBy(() -> notifier.deliver(FAILED,
                Events.channel(receiver.url("/open-apis/bot/v2/hook/5e3d587e"), "feishu", FEISHU_SECRET)))
                .isInstanceOf(DeliveryFailedException.class)
                .hasMessage("Feishu refused the message: sign match fail or timestamp is not within one hour from"
                        + " current time (code 19021)");
    }

    private static List<String> fieldNames(JsonNode node) {
        var names = new ArrayList<String>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static Map<String, String> query(URI uri) {
        var query = new LinkedHashMap<String, String>();
        for (String pair : uri.getRawQuery().split("&")) {
            int equals = pair.indexOf('=');
            query.put(pair.substring(0, equals),
                    URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
        }
        return query;
    }

    private static byte[] hmac(String key, String data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }

    private static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }
}
