package io.miaobu.api.notify;

import io.miaobu.api.ExtensionException;
import io.miaobu.api.MiaobuExtension;

/**
 * Delivers notifications (email, webhooks, chat). Called by the host's dispatcher on its own threads, after the event's
 * change is committed and after the notification is stored; a slow or failing notifier delays nobody else.
 */
public interface Notifier extends MiaobuExtension {

    /**
     * Delivers one notification.
     *
     * @throws ExtensionException   when delivery failed; the host retries with backoff and dead-letters it in the end
     * @throws InterruptedException when the server is stopping
     */
    void deliver(NotificationEvent event, NotificationContext context) throws InterruptedException;
}
