package io.miaobu.api.notify;

import io.miaobu.api.MiaobuExtension;
import io.miaobu.api.config.ConfigProblem;
import io.miaobu.api.config.ConfigSchema;
import io.miaobu.api.config.ConfigValues;
import java.util.List;

/**
 * Delivers notifications (email, webhooks, chat). Called by the host's dispatcher on its own threads, after the event's
 * change is committed and after the notification is stored (the outbox); a slow or failing notifier delays nobody
 * else, and a call that hangs is abandoned after the host's delivery time limit.
 *
 * <p>Users and admins create <em>channels</em> for a notifier: each is the notifier with
 * {@linkplain #channelSettings() channel settings} (a webhook URL) and the event kinds it wants. Outgoing HTTP goes
 * through the host's {@link io.miaobu.api.host.OutboundHttp}, which applies the admin's rules on which addresses may be
 * called.
 */
public interface Notifier extends MiaobuExtension {

    /**
     * Delivers one notification.
     *
     * @return what the receiver said
     * @throws NotDeliverableException when retrying cannot help; the host dead-letters it at once
     * @throws DeliveryFailedException (or any {@link io.miaobu.api.ExtensionException}) when delivery failed; the host
     *                                 retries with backoff and dead-letters
     *                                 it after its last try
     * @throws InterruptedException when the server is stopping or the delivery took too long
     */
    DeliveryReceipt deliver(NotificationEvent event, NotificationContext context) throws InterruptedException;

    /**
     * The settings of one channel (a webhook's URL, format and secret). A {@linkplain
     * io.miaobu.api.config.ConfigField#generatedSecret generated secret} field is filled by the host with a random
     * value when the channel is created, shown once to its creator. Empty by default: the notifier needs nothing per
     * channel (email: the recipients come from the subscriptions).
     */
    default ConfigSchema channelSettings() {
        return ConfigSchema.EMPTY;
    }

    /**
     * Whether this notifier addresses people by email address (true for email): the host then fans a notification
     * out to one delivery per recipient — every subscribed person gets exactly one message per event — and passes
     * the address in {@link NotificationContext#recipients()}.
     */
    default boolean deliversToPeople() {
        return false;
    }

    /**
     * Checks one channel's settings beyond what their schema says (a URL's host, a known format), when a channel is
     * created or changed. The default finds nothing wrong.
     *
     * @return problems, each naming its field; empty when the settings can work
     */
    default List<ConfigProblem> validateChannel(ConfigValues channelSettings) {
        return List.of();
    }
}
