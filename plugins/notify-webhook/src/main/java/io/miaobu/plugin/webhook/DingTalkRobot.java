package io.miaobu.plugin.webhook;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A DingTalk custom robot (自定义机器人): a markdown message, and, when the robot uses signing (加签), the signed URL
 * DingTalk documents: {@code &timestamp=<ms>&sign=<urlencode(base64(HmacSHA256(key = secret,
 * data = timestamp + "\n" + secret)))>}. DingTalk answers 200 with {@code {"errcode":0,"errmsg":"ok"}}, or 200 with
 * another errcode when it refused the message (310000: signature, keyword or IP check failed).
 */
final class DingTalkRobot {

    private DingTalkRobot() {
    }

    static byte[] body(ChatMessage message) {
        var blocks = new ArrayList<String>();
        blocks.add("#### " + oneLine(message.title()));
        message.details().forEach(detail -> blocks.add(detail.replace("\n", "  \n")));
        if (!message.links().isEmpty()) {
            blocks.add(message.links().stream()
                    .map(link -> "[" + link.label().replace("[", "").replace("]", "") + "](" + link.url() + ")")
                    .collect(Collectors.joining(" · ")));
        }
        blocks.add("###### " + message.footer());
        ObjectNode json = Json.object();
        json.put("msgtype", "markdown");
        ObjectNode markdown = json.putObject("markdown");
        markdown.put("title", oneLine(message.title()));
        markdown.put("text", String.join("\n\n", blocks));
        return Json.bytes(json);
    }

    /** The robot's URL with {@code timestamp} and {@code sign} added to its query. */
    static URI signedUrl(URI url, String secret, long timestampMillis) {
        String base = url.toString();
        int fragment = base.indexOf('#');
        if (fragment >= 0) {
            base = base.substring(0, fragment);
        }
        return URI.create(base + (url.getRawQuery() == null ? "?" : "&") + "timestamp=" + timestampMillis
                + "&sign=" + URLEncoder.encode(sign(secret, timestampMillis), StandardCharsets.UTF_8));
    }

    /** {@code base64(HmacSHA256(key = secret, data = timestamp + "\n" + secret))}, before URL encoding. */
    static String sign(String secret, long timestampMillis) {
        byte[] mac = WebhookSignature.hmacSha256(secret.getBytes(StandardCharsets.UTF_8))
                .doFinal((timestampMillis + "\n" + secret).getBytes(StandardCharsets.UTF_8));
        return Base64.getEncoder().encodeToString(mac);
    }

    /** DingTalk's refusal inside a 200 answer, if there is one. */
    static Optional<String> refusal(byte[] answer) {
        return Json.object(answer)
                .filter(json -> json.path("errcode").isIntegralNumber() && json.path("errcode").asLong() != 0)
                .map(json -> Json.describe(json.path("errmsg"), "errcode " + json.path("errcode").asLong()));
    }

    private static String oneLine(String text) {
        return text.replaceAll("\\s+", " ").strip();
    }
}
