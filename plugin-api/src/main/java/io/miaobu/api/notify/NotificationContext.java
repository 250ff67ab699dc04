package io.miaobu.api.notify;

import io.miaobu.api.config.ConfigValues;
import java.util.List;

/**
 * Where and how to deliver one notification.
 *
 * @param globalSettings  the notifier's server-wide settings (an SMTP server)
 * @param channelSettings the settings of the channel being served (a webhook URL and its secret)
 * @param recipients      for notifiers that {@linkplain Notifier#deliversToPeople() address people}: the email
 *                        addresses this delivery goes to (the host sends one delivery per recipient); empty otherwise
 * @param deliveryId      the host's id of this delivery (never null), the same on every retry: receivers can use it
 *                        to drop duplicates
 * @param attempt         1 on the first try, then 2, 3, ...
 */
public record NotificationContext(ConfigValues globalSettings, ConfigValues channelSettings, List<String> recipients,
                                  String deliveryId, int attempt) {

    public NotificationContext {
        recipients = List.copyOf(recipients);
        java.util.Objects.requireNonNull(deliveryId, "deliveryId");
    }
}
