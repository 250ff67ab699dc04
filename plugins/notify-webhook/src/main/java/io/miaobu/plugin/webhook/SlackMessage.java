package io.miaobu.plugin.webhook;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.stream.Collectors;

/**
 * A Slack incoming-webhook body: {@code {"text": ...}} in Slack's mrkdwn, with links as {@code <url|label>}. Slack
 * answers 200 {@code ok}, or an error status with a short code such as {@code invalid_payload} or
 * {@code no_service}; there is no error inside a 200.
 */
final class SlackMessage {

    private SlackMessage() {
    }

    static byte[] body(ChatMessage message) {
        var lines = new ArrayList<String>();
        lines.add("*" + escape(message.title()) + "*");
        message.details().forEach(detail -> lines.add(escape(detail)));
        if (!message.links().isEmpty()) {
            lines.add(message.links().stream()
                    .map(link -> "<" + link.url() + "|" + escape(link.label()) + ">")
                    .collect(Collectors.joining(" · ")));
        }
        lines.add("_" + escape(message.footer()) + "_");
        ObjectNode json = Json.object();
        json.put("text", String.join("\n", lines));
        return Json.bytes(json);
    }

    /** The three characters Slack's message formatting asks to be escaped in text. */
    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
