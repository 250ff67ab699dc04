package io.miaobu.plugin.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * A Feishu (Lark) custom bot (自定义机器人): a rich-text {@code post} message, and, when the bot uses signature
 * verification (签名校验), {@code "timestamp": "<seconds>"} and {@code "sign": base64(HmacSHA256(key = timestamp +
 * "\n" + secret, data = nothing))} in the body, as Feishu documents. Feishu answers 200 with {@code {"code":0,...}}
 * (older hooks: {@code {"StatusCode":0,...}}), or 200 with another code when it refused the message (19021: bad
 * signature or a timestamp more than an hour off; 19024: keyword check failed).
 */
final class FeishuBot {

    private FeishuBot() {
    }

    /**
     * @param secret           the bot's signing secret, or {@code null} to send unsigned
     * @param timestampSeconds the time to sign, in Unix seconds
     */
    static byte[] body(ChatMessage message, String secret, long timestampSeconds) {
        ObjectNode json = Json.object();
        if (secret != null) {
            json.put("timestamp", Long.toString(timestampSeconds));
            json.put("sign", sign(secret, timestampSeconds));
        }
        json.put("msg_type", "post");
        // zh_cn as in Feishu's own examples; clients in other languages fall back to it
        ObjectNode post = json.putObject("content").putObject("post").putObject("zh_cn");
        post.put("title", message.title());
        ArrayNode paragraphs = post.putArray("content");
        message.details().forEach(detail -> paragraphs.addArray().addObject().put("tag", "text").put("text", detail));
        if (!message.links().isEmpty()) {
            ArrayNode line = paragraphs.addArray();
            for (int i = 0; i < message.links().size(); i++) {
                if (i > 0) {
                    line.addObject().put("tag", "text").put("text", " · ");
                }
                ChatMessage.Link link = message.links().get(i);
                line.addObject().put("tag", "a").put("text", link.label()).put("href", link.url().toString());
            }
        }
        paragraphs.addArray().addObject().put("tag", "text").put("text", message.footer());
        return Json.bytes(json);
    }

    /** {@code base64(HmacSHA256(key = timestamp + "\n" + secret, data = nothing))}. */
    static String sign(String secret, long timestampSeconds) {
        byte[] key = (timestampSeconds + "\n" + secret).getBytes(StandardCharsets.UTF_8);
        return Base64.getEncoder().encodeToString(WebhookSignature.hmacSha256(key).doFinal());
    }

    /** Feishu's refusal inside a 200 answer, if there is one. */
    static Optional<String> refusal(byte[] answer) {
        return Json.object(answer).flatMap(json -> {
            if (failed(json.path("code"))) {
                return Optional.of(Json.describe(json.path("msg"), "code " + json.path("code").asLong()));
            }
            if (failed(json.path("StatusCode"))) {
                return Optional.of(Json.describe(json.path("StatusMessage"),
                        "StatusCode " + json.path("StatusCode").asLong()));
            }
            return Optional.empty();
        });
    }

    private static boolean failed(JsonNode code) {
        return code.isIntegralNumber() && code.asLong() != 0;
    }
}
