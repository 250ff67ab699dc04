package io.miaobu.api.config;

import java.util.List;
import java.util.Objects;

/**
 * One setting of an extension.
 *
 * @param name         the key the value is stored and looked up under; stable, kebab-case
 * @param label        the form label
 * @param helpText     one or two sentences shown under the field; may be empty
 * @param type         how it is entered, checked and stored
 * @param defaultValue the value used when none was saved; {@code null} for none
 * @param required     whether a value must be given
 * @param options      the allowed values of a {@link ConfigFieldType#CHOICE} field; empty otherwise
 */
public record ConfigField(
        String name,
        String label,
        String helpText,
        ConfigFieldType type,
        String defaultValue,
        boolean required,
        List<String> options) {

    public ConfigField {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(type, "type");
        helpText = helpText == null ? "" : helpText;
        options = List.copyOf(options == null ? List.of() : options);
        if (type == ConfigFieldType.CHOICE && options.isEmpty()) {
            throw new IllegalArgumentException("CHOICE field " + name + " needs options");
        }
    }

    /** An optional one-line text field without default. */
    public static ConfigField string(String name, String label, String helpText) {
        return new ConfigField(name, label, helpText, ConfigFieldType.STRING, null, false, List.of());
    }

    /** An optional secret field. */
    public static ConfigField secret(String name, String label, String helpText) {
        return new ConfigField(name, label, helpText, ConfigFieldType.SECRET, null, false, List.of());
    }

    /** The default value that marks a {@linkplain #generatedSecret generated secret}. */
    public static final String GENERATED = "{generated}";

    /**
     * A secret the host generates (256 random bits, base64url) when it is left empty, and shows once to whoever set
     * it up, e.g. a webhook's signing secret. Its default value is {@link #GENERATED}.
     */
    public static ConfigField generatedSecret(String name, String label, String helpText) {
        return new ConfigField(name, label, helpText, ConfigFieldType.SECRET, GENERATED, false, List.of());
    }

    /** Whether the host fills this secret with a random value when it is left empty. */
    public boolean generated() {
        return type == ConfigFieldType.SECRET && GENERATED.equals(defaultValue);
    }

    /** Whether the value is write-only and encrypted at rest. */
    public boolean secret() {
        return type == ConfigFieldType.SECRET;
    }

    /** A copy that must be filled in. */
    public ConfigField asRequired() {
        return new ConfigField(name, label, helpText, type, defaultValue, true, options);
    }

    /** A copy with a default value. */
    public ConfigField withDefault(String value) {
        return new ConfigField(name, label, helpText, type, value, required, options);
    }
}
