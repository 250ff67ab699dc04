package io.miaobu.server.secrets;

/**
 * A sealed value that cannot be opened: malformed, sealed with a key this server does not hold, tampered with, or
 * sealed for another purpose. Thrown by {@link SecretBox#open} and {@link SecretRotation#rotate}. The message names
 * the key id, table or row, never the sealed or the plain value, so it is safe to log and to show.
 */
public class SecretBoxException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public SecretBoxException(String message) {
        super(message);
    }

    public SecretBoxException(String message, Throwable cause) {
        super(message, cause);
    }
}
