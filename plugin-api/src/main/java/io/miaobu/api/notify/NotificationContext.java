package io.miaobu.api.notify;

import io.miaobu.api.config.ConfigValues;
import java.util.List;

/**
 * Where and how to deliver one notification.
 *
 * @param globalSettings  the notifier's server-wide settings (an SMTP server)
 * @param channelSettings the settings of the subscription being served (a webhook URL and its secret)
 * @param recipients      email addresses of the people subscribed, for notifiers that address people
 */
public record NotificationContext(ConfigValues globalSettings, ConfigValues channelSettings, List<String> recipients) {

    public NotificationContext {
        recipients = List.copyOf(recipients);
    }
}
