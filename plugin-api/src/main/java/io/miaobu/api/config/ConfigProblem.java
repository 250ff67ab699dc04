package io.miaobu.api.config;

/**
 * A reason settings cannot be saved, shown beside the field.
 *
 * @param field   the {@link ConfigField#name()} it concerns, or {@code null} for the settings as a whole
 * @param message what is wrong, in words a user understands; never contains a secret value
 */
public record ConfigProblem(String field, String message) {
}
