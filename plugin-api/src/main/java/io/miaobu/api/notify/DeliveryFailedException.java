package io.miaobu.api.notify;

import io.miaobu.api.ExtensionException;

/**
 * A delivery failed; the host retries it with backoff and moves it to the dead letters after its last try. Carries
 * the receiver's status code for the delivery log. (Any other {@link ExtensionException} is treated the same, without
 * a status code.)
 */
public class DeliveryFailedException extends ExtensionException {

    private static final long serialVersionUID = 1L;

    private final int statusCode;

    /**
     * @param userMessage what went wrong, e.g. "HTTP 502 from hooks.example.com: Bad Gateway"
     * @param statusCode  the receiver's status (HTTP status, SMTP reply code), 0 when it never answered
     */
    public DeliveryFailedException(String userMessage, int statusCode) {
        super(userMessage);
        this.statusCode = statusCode;
    }

    public DeliveryFailedException(String userMessage, int statusCode, Throwable cause) {
        super(userMessage, cause);
        this.statusCode = statusCode;
    }

    /** The receiver's status code, 0 when there was none. */
    public int statusCode() {
        return statusCode;
    }
}
