package io.miaobu.plugin.webhook;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** What a channel's requests look like: Miaobu's own signed JSON, or a chat service's incoming-webhook message. */
enum WebhookFormat {
    MIAOBU("miaobu", "Miaobu"),
    SLACK("slack", "Slack"),
    DINGTALK("dingtalk", "DingTalk"),
    FEISHU("feishu", "Feishu");

    private final String settingValue;
    private final String serviceName;

    WebhookFormat(String settingValue, String serviceName) {
        this.settingValue = settingValue;
        this.serviceName = serviceName;
    }

    /** The value stored in the channel's {@code format} setting. */
    String settingValue() {
        return settingValue;
    }

    /** The receiving service, as named in messages. */
    String serviceName() {
        return serviceName;
    }

    static List<String> settingValues() {
        return Arrays.stream(values()).map(WebhookFormat::settingValue).toList();
    }

    static Optional<WebhookFormat> bySettingValue(String value) {
        return Arrays.stream(values()).filter(format -> format.settingValue.equals(value)).findFirst();
    }
}
