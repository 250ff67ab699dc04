package com.example.miaobu.log;

import io.miaobu.api.config.ConfigField;
import io.miaobu.api.config.ConfigFieldType;
import io.miaobu.api.config.ConfigProblem;
import io.miaobu.api.config.ConfigSchema;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.host.HostInfo;
import io.miaobu.api.notify.DeliveryFailedException;
import io.miaobu.api.notify.DeliveryReceipt;
import io.miaobu.api.notify.NotDeliverableException;
import io.miaobu.api.notify.NotificationContext;
import io.miaobu.api.notify.NotificationEvent;
import io.miaobu.api.notify.Notifier;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.pf4j.Extension;

/**
 * Appends each notification as one line to a file in the plugin's data directory
 * ({@code MIAOBU_HOME/plugin-data/notify-log/}): JSON for tools ({@code jq}, a log shipper), or plain text for people.
 *
 * <p>The host creates one instance and calls it from several dispatcher threads at once. Each line is written with
 * one append, so lines from different threads never mix. A retried delivery may add a line twice: the JSON carries
 * the delivery id, the same on every try, to tell them apart.
 */
@Extension
public final class LogNotifier implements Notifier {

    static final String FILE = "file";
    static final String FORMAT = "format";

    private static final Pattern PLAIN_FILE_NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}");
    private static final ConfigSchema CHANNEL_SETTINGS = ConfigSchema.of(
            new ConfigField(FILE, "File", "A file name in MIAOBU_HOME/plugin-data/notify-log/, such as deploys.log."
                    + " Channels may share a file or have their own.",
                    ConfigFieldType.STRING, "notifications.log", true, List.of()),
            new ConfigField(FORMAT, "Format", "json: one JSON object per line. text: time, event and summary.",
                    ConfigFieldType.CHOICE, "json", true, List.of("json", "text")));

    private final Path directory;

    /** The host passes its facts; the files go to {@link HostInfo#dataDirectory()}, which exists already. */
    public LogNotifier(HostInfo host) {
        this.directory = host.dataDirectory();
    }

    @Override
    public String id() {
        return "log";
    }

    @Override
    public String displayName() {
        return "Log file";
    }

    @Override
    public ConfigSchema channelSettings() {
        return CHANNEL_SETTINGS;
    }

    /** The file must be a plain name: a channel cannot write outside the plugin's data directory. */
    @Override
    public List<ConfigProblem> validateChannel(ConfigValues channelSettings) {
        return fileProblem(channelSettings.get(FILE, "")).map(message -> List.of(new ConfigProblem(FILE, message)))
                .orElse(List.of());
    }

    /**
     * Appends the event's line to the channel's file.
     *
     * @throws NotDeliverableException when the channel's file name is not allowed
     * @throws DeliveryFailedException when the file cannot be written (disk full, permissions); the host retries
     */
    @Override
    public DeliveryReceipt deliver(NotificationEvent event, NotificationContext context) {
        String name = context.channelSettings().get(FILE, "");
        Optional<String> problem = fileProblem(name);
        if (problem.isPresent()) {
            throw new NotDeliverableException("The log channel's file is not usable: " + problem.get());
        }
        String line = "text".equals(context.channelSettings().get(FORMAT, "json"))
                ? text(event) : json(event, context.deliveryId());
        try {
            // one write of the whole line with O_APPEND: concurrent deliveries never interleave inside a line
            Files.write(directory.resolve(name), (line + "\n").getBytes(StandardCharsets.UTF_8),
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new DeliveryFailedException("Could not append to " + name + ": " + e.getMessage(), 0, e);
        }
        return DeliveryReceipt.of(0, "appended to " + name);
    }

    private static Optional<String> fileProblem(String name) {
        if (name.isBlank()) {
            return Optional.of("Enter a file name, such as deploys.log.");
        }
        if (!PLAIN_FILE_NAME.matcher(name).matches()) {
            return Optional.of("Use a plain file name such as deploys.log: letters, digits, '.', '_' and '-', at"
                    + " most 100, not starting with '.'.");
        }
        return Optional.empty();
    }

    /** {@code 2026-01-02T03:04:05Z deployment.failed My site: deployment #42 failed <page>} */
    static String text(NotificationEvent event) {
        String page = page(event).map(uri -> " " + uri).orElse("");
        return event.at() + " " + event.kind().wireName() + " " + oneLine(event.summary()) + page;
    }

    /** One JSON object: {@code at}, {@code event}, {@code summary}, {@code delivery}, and what the event concerns. */
    static String json(NotificationEvent event, String deliveryId) {
        var json = new StringBuilder("{");
        field(json, "at", event.at().toString());
        field(json, "event", event.kind().wireName());
        field(json, "summary", event.summary());
        field(json, "delivery", deliveryId);
        if (event.project() != null) {
            field(json, "project", event.project().slug());
        }
        if (event.deployment() != null) {
            json.append(",\"deployment\":").append(event.deployment().id());
        }
        page(event).ifPresent(page -> field(json, "page", page.toString()));
        return json.append('}').toString();
    }

    private static Optional<URI> page(NotificationEvent event) {
        if (event.deployment() != null) {
            return Optional.of(event.deployment().page());
        }
        return event.project() == null ? Optional.empty() : Optional.of(event.project().page());
    }

    private static void field(StringBuilder json, String name, String value) {
        if (json.length() > 1) {
            json.append(',');
        }
        json.append('"').append(name).append("\":\"");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }

    private static String oneLine(String text) {
        return text.replaceAll("[\\r\\n]+", " ");
    }
}
