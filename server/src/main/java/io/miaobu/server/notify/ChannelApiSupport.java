package io.miaobu.server.notify;

import io.miaobu.api.ExtensionException;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.notify.DeliveryReceipt;
import io.miaobu.api.notify.EventKind;
import io.miaobu.api.notify.Notifier;
import io.miaobu.server.auth.User;
import io.miaobu.server.plugin.ExtensionSettings;
import io.miaobu.server.web.UserFacingException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the three channel APIs (a project's, a person's, the admins') share: views, the test button and the delivery
 * log. Each API checks first that the channel belongs to the scope in its path.
 */
public final class ChannelApiSupport {

    private final NotificationChannels channels;
    private final NotificationDeliveries deliveries;
    private final NotificationDispatcher dispatcher;
    private final UserEmails emails;
    private final ExtensionSettings settings;

    public ChannelApiSupport(NotificationChannels channels, NotificationDeliveries deliveries,
                             NotificationDispatcher dispatcher, UserEmails emails, ExtensionSettings settings) {
        this.channels = channels;
        this.deliveries = deliveries;
        this.dispatcher = dispatcher;
        this.emails = emails;
        this.settings = settings;
    }

    /** A channel as the API shows it: settings without secret values; generated secrets only right after creation. */
    public record ChannelView(long id, String scope, Long projectId, Long userId, String notifier, String name,
                              List<String> events, List<String> recipients, boolean enabled, Instant createdAt,
                              List<ExtensionSettings.FieldView> settings, Map<String, String> generatedSecrets) {
    }

    /** The answer of a test: what the receiver said. */
    public record TestResult(boolean delivered, int statusCode, String detail, List<String> refusedRecipients) {
    }

    public record NotifierView(String id, String name, boolean deliversToPeople,
                               List<ExtensionSettings.FieldView> channelSettings) {
    }

    public ChannelView view(Channel channel, Map<String, String> generated) {
        return new ChannelView(channel.id(), channel.scope().name().toLowerCase(java.util.Locale.ROOT),
                channel.projectId(), channel.userId(), channel.notifier(), channel.name(),
                channel.events().stream().map(EventKind::wireName).toList(), channel.recipients(), channel.enabled(),
                channel.createdAt(), channels.settingsView(channel), generated == null ? null : generated);
    }

    public List<NotifierView> notifiers() {
        return channels.installed().stream().map(notifier -> new NotifierView(notifier.id(), notifier.displayName(),
                notifier.deliversToPeople(), settings.view("none:" + notifier.id(), notifier.channelSettings())))
                .toList();
    }

    /** Sends a test through the channel to the caller (or the channel's recipients). */
    public TestResult test(Channel channel, User caller) {
        Notifier notifier = channels.notifier(channel.notifier());
        List<String> recipients = List.of();
        if (notifier.deliversToPeople()) {
            recipients = channel.scope() == Channel.Scope.USER
                    ? emails.of(caller.id()).map(List::of).orElseThrow(() -> UserFacingException.invalid("email",
                    "Set your email address on your account page first."))
                    : channel.recipients();
        }
        ConfigValues channelSettings = settings.valuesFor(channel.settingsKey(), notifier.channelSettings());
        return test(notifier, channelSettings, recipients, caller);
    }

    /** Sends a test of a notifier's server settings to the caller's own address (the SMTP settings' button). */
    public TestResult testNotifier(String notifierId, User caller) {
        Notifier notifier = channels.notifier(notifierId);
        List<String> recipients = notifier.deliversToPeople()
                ? emails.of(caller.id()).map(List::of).orElseThrow(() -> UserFacingException.invalid("email",
                "Set your email address on your account page first; the test goes there."))
                : List.of();
        if (!notifier.deliversToPeople()) {
            throw UserFacingException.invalid("notifier", "Test the " + notifier.displayName()
                    + " notifier from one of its channels.");
        }
        return test(notifier, ConfigValues.EMPTY, recipients, caller);
    }

    private TestResult test(Notifier notifier, ConfigValues channelSettings, List<String> recipients, User caller) {
        try {
            DeliveryReceipt receipt = dispatcher.sendTest(notifier, channelSettings, recipients, caller.username());
            return new TestResult(true, receipt.statusCode(), receipt.detail(), receipt.refusedRecipients());
        } catch (ExtensionException e) {
            int code = e instanceof io.miaobu.api.notify.DeliveryFailedException failed ? failed.statusCode() : 0;
            return new TestResult(false, code, e.getMessage(), List.of());
        }
    }

    public List<NotificationDeliveries.Delivery> deliveries(Channel channel, Integer limit) {
        return deliveries.forChannel(channel.id(), limit == null ? 50 : Math.max(1, Math.min(limit, 500)));
    }

    /** The request body's fields, checked for shape. */
    public static NotificationChannels.ChannelRequest body(NotificationChannels.ChannelRequest body) {
        if (body == null) {
            throw UserFacingException.invalid(null, "Send a JSON object: {\"notifier\": …, \"events\": […],"
                    + " \"settings\": {…}}.");
        }
        return new NotificationChannels.ChannelRequest(body.notifier(), body.name(), body.events(),
                body.recipients(), body.enabled(), body.settings(), body.clear() == null ? Set.of() : body.clear());
    }
}
