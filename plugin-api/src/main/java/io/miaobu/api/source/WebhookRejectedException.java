package io.miaobu.api.source;

import io.miaobu.api.ExtensionException;

/**
 * Thrown by {@link SourceProvider#parseWebhook} for a delivery that is not authentic or not understood. The host
 * answers the sender with {@link #status()} and the message, and records the delivery as refused.
 */
public class WebhookRejectedException extends ExtensionException {

    private final int status;

    /**
     * @param status  {@code 401} when the signature is missing or wrong, {@code 400} for an event or body this provider
     *                does not understand
     * @param message why, in words (never the secret or the expected signature)
     */
    public WebhookRejectedException(int status, String message) {
        super(message);
        if (status < 400 || status > 499) {
            throw new IllegalArgumentException("a refusal is a 4xx status: " + status);
        }
        this.status = status;
    }

    public int status() {
        return status;
    }
}
