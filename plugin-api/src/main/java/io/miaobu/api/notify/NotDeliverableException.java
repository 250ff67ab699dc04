package io.miaobu.api.notify;

/**
 * A delivery failed in a way retrying cannot fix (every recipient refused, the address is not allowed, the channel's
 * settings are invalid): the host moves it to the dead letters at once instead of retrying.
 */
public class NotDeliverableException extends DeliveryFailedException {

    private static final long serialVersionUID = 1L;

    public NotDeliverableException(String userMessage) {
        super(userMessage, 0);
    }

    public NotDeliverableException(String userMessage, int statusCode) {
        super(userMessage, statusCode);
    }

    public NotDeliverableException(String userMessage, int statusCode, Throwable cause) {
        super(userMessage, statusCode, cause);
    }
}
