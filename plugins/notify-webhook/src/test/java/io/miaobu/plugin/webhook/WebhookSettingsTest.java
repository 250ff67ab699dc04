package io.miaobu.plugin.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.miaobu.api.config.ConfigField;
import io.miaobu.api.config.ConfigFieldType;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.notify.NotDeliverableException;
import io.miaobu.api.notify.NotificationEvent;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebhookSettingsTest {

    private final WebhookNotifier notifier = new WebhookNotifier(JdkOutboundHttp.open(), Clock.systemUTC());

    @Test
    void describesItselfAsAWebhookNotifierForChannels() {
        assertThat(notifier.id()).isEqualTo("webhook");
        assertThat(notifier.displayName()).isEqualTo("Webhook");
        assertThat(notifier.deliversToPeople()).isFalse();
        assertThat(notifier.globalSettings().isEmpty()).isTrue();
    }

    @Test
    void asksForAnHttpUrlAFormatAndAGeneratedSecret() {
        var schema = notifier.channelSettings();

        assertThat(schema.fields()).extracting(ConfigField::name).containsExactly("url", "format", "secret");
        ConfigField url = schema.field("url").orElseThrow();
        assertThat(url.type()).isEqualTo(ConfigFieldType.URL);
        assertThat(url.required()).isTrue();
        ConfigField format = schema.field("format").orElseThrow();
        assertThat(format.type()).isEqualTo(ConfigFieldType.CHOICE);
        assertThat(format.options()).containsExactly("miaobu", "slack", "dingtalk", "feishu");
        assertThat(format.defaultValue()).isEqualTo("miaobu");
        ConfigField secret = schema.field("secret").orElseThrow();
        assertThat(secret.generated()).isTrue();
        assertThat(secret.secret()).isTrue();
    }

    @Test
    void acceptsHttpAndHttpsUrls() {
        assertThat(notifier.validateChannel(settings("https://hooks.example.com/miaobu?token=x", "miaobu"))).isEmpty();
        assertThat(notifier.validateChannel(settings("http://receiver.internal:8080/hook", "slack"))).isEmpty();
    }

    @Test
    void rejectsUrlsItCannotCall() {
        assertThat(problems("", "miaobu")).containsExactly("url: Enter the URL to send notifications to.");
        assertThat(problems("ftp://files.example.com/hook", "miaobu"))
                .containsExactly("url: The URL must start with https:// or http://.");
        assertThat(problems("hooks.example.com/hook", "miaobu"))
                .containsExactly("url: The URL must start with https:// or http://.");
        assertThat(problems("https:///hook", "miaobu")).containsExactly("url: The URL has no host name.");
        assertThat(problems("https://exa mple.com/", "miaobu")).singleElement().asString()
                .startsWith("url: This is not a valid URL");
        assertThat(problems("https://user:pass@hooks.example.com/", "miaobu")).singleElement().asString()
                .startsWith("url: Put no user name or password in the URL");
    }

    @Test
    void neverRepeatsTheUrlInAProblem() {
        assertThat(problems("https://user:tok3n-in-url@hooks.example.com/", "miaobu"))
                .noneMatch(problem -> problem.contains("tok3n-in-url"));
        assertThat(problems("https://exa mple.com/tok3n-in-url", "miaobu"))
                .noneMatch(problem -> problem.contains("tok3n-in-url"));
    }

    @Test
    void rejectsAnUnknownFormat() {
        assertThat(problems("https://hooks.example.com/", "teams"))
                .containsExactly("format: Choose one of miaobu, slack, dingtalk, feishu.");
    }

    @Test
    void refusesToDeliverWithInvalidSettingsWithoutRetrying() {
        var event = new NotificationEvent.Test(Events.AT, "alice");

        assertThatThrownBy(() -> notifier.deliver(event, Events.channel("gopher://x/", "miaobu", null)))
                .isInstanceOf(NotDeliverableException.class)
                .hasMessage("The webhook channel's settings are invalid: url: The URL must start with https:// or"
                        + " http://.");
    }

    private static ConfigValues settings(String url, String format) {
        return ConfigValues.of(Map.of("url", url, "format", format));
    }

    private List<String> problems(String url, String format) {
        return notifier.validateChannel(settings(url, format)).stream()
                .map(problem -> problem.field() + ": " + problem.message()).toList();
    }
}
