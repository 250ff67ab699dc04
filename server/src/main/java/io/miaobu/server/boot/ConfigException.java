package io.miaobu.server.boot;

/** The configuration cannot be used; the message says which setting and why. */
public final class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
