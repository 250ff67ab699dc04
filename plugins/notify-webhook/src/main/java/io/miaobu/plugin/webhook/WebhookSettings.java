package io.miaobu.plugin.webhook;

import io.miaobu.api.Secret;
import io.miaobu.api.config.ConfigField;
import io.miaobu.api.config.ConfigFieldType;
import io.miaobu.api.config.ConfigProblem;
import io.miaobu.api.config.ConfigSchema;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.notify.NotDeliverableException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One channel's settings, checked.
 *
 * @param url    where to POST
 * @param format what to POST
 * @param secret the signing secret, or {@code null} when none is set
 */
record WebhookSettings(URI url, WebhookFormat format, Secret secret) {

    static final String URL = "url";
    static final String FORMAT = "format";
    static final String SECRET = "secret";

    static final ConfigSchema SCHEMA = ConfigSchema.of(
            new ConfigField(URL, "URL", "Where Miaobu POSTs each notification: your receiver, or the incoming-webhook"
                    + " URL Slack, DingTalk or Feishu gave you. http or https.",
                    ConfigFieldType.URL, null, true, List.of()),
            new ConfigField(FORMAT, "Format", "miaobu: signed JSON for your own receiver (schema 1). slack, dingtalk,"
                    + " feishu: a chat message for that service's incoming webhook or custom bot.",
                    ConfigFieldType.CHOICE, WebhookFormat.MIAOBU.settingValue(), true,
                    WebhookFormat.settingValues()),
            ConfigField.generatedSecret(SECRET, "Signing secret", "miaobu: leave empty and Miaobu generates one,"
                    + " shown once; your receiver checks X-Miaobu-Signature with it. dingtalk, feishu: paste the"
                    + " bot's signing secret (DingTalk's starts with SEC). slack: not used."));

    /** Why these settings cannot be used; empty when they can. Never repeats the URL, which may hold a token. */
    static List<ConfigProblem> problems(ConfigValues values) {
        var problems = new ArrayList<ConfigProblem>();
        urlProblem(values.get(URL).orElse("")).ifPresent(message -> problems.add(new ConfigProblem(URL, message)));
        String format = values.get(FORMAT, WebhookFormat.MIAOBU.settingValue());
        if (WebhookFormat.bySettingValue(format).isEmpty()) {
            problems.add(new ConfigProblem(FORMAT, "Choose one of " + String.join(", ", WebhookFormat.settingValues())
                    + "."));
        }
        return problems;
    }

    /**
     * The settings, checked.
     *
     * @throws NotDeliverableException when they cannot be used: retrying would not help
     */
    static WebhookSettings from(ConfigValues values) {
        List<ConfigProblem> problems = problems(values);
        if (!problems.isEmpty()) {
            throw new NotDeliverableException("The webhook channel's settings are invalid: " + problems.stream()
                    .map(p -> p.field() + ": " + p.message()).collect(Collectors.joining(" ")));
        }
        return new WebhookSettings(URI.create(values.get(URL).orElseThrow().trim()),
                WebhookFormat.bySettingValue(values.get(FORMAT, WebhookFormat.MIAOBU.settingValue())).orElseThrow(),
                values.secret(SECRET).orElse(null));
    }

    private static Optional<String> urlProblem(String value) {
        if (value.isBlank()) {
            return Optional.of("Enter the URL to send notifications to.");
        }
        URI uri;
        try {
            uri = new URI(value.trim());
        } catch (URISyntaxException e) {
            return Optional.of("This is not a valid URL (" + e.getReason() + ").");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return Optional.of("The URL must start with https:// or http://.");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            return Optional.of("The URL has no host name.");
        }
        if (uri.getRawUserInfo() != null) {
            return Optional.of("Put no user name or password in the URL: Miaobu does not send them."
                    + " Use a secret path or the signing secret instead.");
        }
        return Optional.empty();
    }
}
