package io.miaobu.api;

/**
 * Thrown by an extension when it cannot do what it was asked, with a message a user can act on.
 *
 * <p>The message is shown to the user as it is (in the build log, on the page, in the API's error body), so it must
 * never contain a secret. Put technical detail in the cause; the host logs the cause for operators (after redacting
 * known secret values) and never shows it to users.
 */
public class ExtensionException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** @param userMessage what went wrong and, where possible, what the user can do about it */
    public ExtensionException(String userMessage) {
        super(userMessage);
    }

    /**
     * @param userMessage what went wrong and, where possible, what the user can do about it
     * @param cause       the technical cause, logged for operators but not shown to users
     */
    public ExtensionException(String userMessage, Throwable cause) {
        super(userMessage, cause);
    }
}
