package io.miaobu.api;

import java.util.Objects;

/**
 * A secret value (a password, an access key, a token) that must not end up in logs, pages or error messages.
 *
 * <p>{@link #toString()} never shows the value; call {@link #reveal()} only at the moment the value is handed to the
 * system that needs it. The host stores secrets encrypted and registers every secret it hands out with the build-log
 * masker, so a revealed value printed into a {@link io.miaobu.api.host.TaskLog} is replaced by {@code ****}.
 */
public final class Secret {

    private final String value;

    private Secret(String value) {
        this.value = Objects.requireNonNull(value, "value");
    }

    /** Wraps a value. */
    public static Secret of(String value) {
        return new Secret(value);
    }

    /** The value itself. Never log or print it. */
    public String reveal() {
        return value;
    }

    /** Whether the value is empty. */
    public boolean isEmpty() {
        return value.isEmpty();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Secret secret && java.security.MessageDigest.isEqual(
                value.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                secret.value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Override
    public int hashCode() {
        return 0;
    }

    /** Always {@code "••••"}. */
    @Override
    public String toString() {
        return "••••";
    }
}
