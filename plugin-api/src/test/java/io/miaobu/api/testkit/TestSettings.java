package io.miaobu.api.testkit;

import io.miaobu.api.Secret;
import io.miaobu.api.config.ConfigField;
import io.miaobu.api.config.ConfigFieldType;
import io.miaobu.api.config.ConfigSchema;
import io.miaobu.api.config.ConfigValues;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Builds {@link ConfigValues} the way the host does when an admin saves a settings form: checked against the
 * extension's {@link ConfigSchema}, defaults filled in, secrets passed as {@link Secret}s.
 *
 * <pre>{@code
 * ConfigValues channel = TestSettings.forSchema(notifier.channelSettings())
 *         .set("url", "https://hooks.example.com/miaobu")
 *         .set("token", "s3cret")                           // a SECRET field: handed over as a Secret
 *         .build();                                         // "format" gets its default
 * ConfigValues nothingSaved = TestSettings.defaults(notifier.globalSettings());
 * }</pre>
 *
 * <p>The checks are the host's, with its messages (as of this API version): a value for a name the schema does not
 * have is refused; values are stripped (except {@code TEXT} and secrets); a field left empty gets its default; a
 * {@code BOOLEAN} is {@code true} for {@code true} or {@code on} and {@code false} otherwise, also when it
 * was not set (an unticked box); {@code INTEGER} must be a
 * whole number, {@code CHOICE} one of the options, {@code URL} an absolute http(s) URL; at most 4000 characters and no
 * control characters (except in {@code TEXT}); a required field must have a value; a {@linkplain
 * ConfigField#generated() generated secret} left empty gets a random value (256 bits, base64url). A failed check
 * throws {@link IllegalArgumentException} with the message the admin would see. The extension's own
 * {@code validate} is not called: call it yourself, as the host does next.
 *
 * <p>To build values without a schema, use {@link ConfigValues#of(Map, Map)}.
 */
public final class TestSettings {

    private static final int MAX_VALUE = 4000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ConfigSchema schema;
    private final Map<String, String> submitted = new LinkedHashMap<>();

    private TestSettings(ConfigSchema schema) {
        this.schema = schema;
    }

    /** A form for {@code schema} with nothing filled in yet. */
    public static TestSettings forSchema(ConfigSchema schema) {
        return new TestSettings(schema);
    }

    /**
     * What the extension receives when nothing was saved: every plain field's default and no secrets (a generated
     * secret is made when the form is saved). Required fields without default are missing, as on the host before an
     * admin saved the form.
     */
    public static ConfigValues defaults(ConfigSchema schema) {
        return new TestSettings(schema).values(false);
    }

    /**
     * Fills in a field, as the admin types it.
     *
     * @throws IllegalArgumentException when the schema has no field {@code name}
     */
    public TestSettings set(String name, String value) {
        if (schema.field(name).isEmpty()) {
            throw new IllegalArgumentException("There is no setting '" + name + "'.");
        }
        submitted.put(name, value);
        return this;
    }

    /**
     * The values, checked as the host checks a saved form.
     *
     * @throws IllegalArgumentException with the host's message for the first field at fault
     */
    public ConfigValues build() {
        return values(true);
    }

    private ConfigValues values(boolean saved) {
        var plain = new LinkedHashMap<String, String>();
        var secrets = new LinkedHashMap<String, Secret>();
        for (ConfigField field : schema.fields()) {
            String raw = submitted.get(field.name());
            if (field.secret()) {
                if (raw != null && !raw.isEmpty()) {
                    checkLength(field, raw);
                    secrets.put(field.name(), Secret.of(raw));
                } else if (saved && field.generated()) {
                    secrets.put(field.name(), Secret.of(randomSecret()));
                } else if (saved && field.required()) {
                    throw new IllegalArgumentException(field.label() + " is required.");
                }
                continue;
            }
            String value = raw == null || field.type() == ConfigFieldType.TEXT ? raw : raw.strip();
            if (field.type() == ConfigFieldType.BOOLEAN && (saved || value != null)) {
                // a saved form's unticked box is false, whatever the default
                value = Boolean.toString(value != null && (value.equals("true") || value.equals("on")));
            }
            if ((value == null || value.isEmpty()) && field.defaultValue() != null) {
                value = field.defaultValue();
            }
            if (value == null || value.isEmpty()) {
                if (saved && field.required()) {
                    throw new IllegalArgumentException(field.label() + " is required.");
                }
                continue;
            }
            checkLength(field, value);
            problem(field, value).ifPresent(message -> {
                throw new IllegalArgumentException(message);
            });
            plain.put(field.name(), value);
        }
        return ConfigValues.of(plain, secrets);
    }

    /**
     * Why the host would refuse {@code value} for {@code field} by its type, if it would: the message shown beside
     * the field. Lengths and control characters are not looked at.
     */
    public static Optional<String> problem(ConfigField field, String value) {
        switch (field.type()) {
            case INTEGER -> {
                try {
                    Long.parseLong(value);
                } catch (NumberFormatException e) {
                    return Optional.of(field.label() + " must be a whole number.");
                }
            }
            case BOOLEAN -> {
                if (!value.equals("true") && !value.equals("false")) {
                    return Optional.of(field.label() + " must be true or false.");
                }
            }
            case CHOICE -> {
                if (!field.options().contains(value)) {
                    return Optional.of(field.label() + " must be one of " + String.join(", ", field.options()) + ".");
                }
            }
            case URL -> {
                if (!isHttpUrl(value)) {
                    return Optional.of(field.label() + " must be an absolute http or https URL.");
                }
            }
            default -> {
            }
        }
        return Optional.empty();
    }

    private static boolean isHttpUrl(String value) {
        try {
            URI uri = new URI(value);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            return (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static void checkLength(ConfigField field, String value) {
        if (value.length() > MAX_VALUE) {
            throw new IllegalArgumentException("At most " + MAX_VALUE + " characters.");
        }
        if (field.type() != ConfigFieldType.TEXT && value.chars().anyMatch(c -> c < 0x20 && c != '\t')) {
            throw new IllegalArgumentException("Control characters are not allowed here.");
        }
    }

    private static String randomSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
