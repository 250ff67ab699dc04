package io.miaobu.server.plugin;

import io.miaobu.api.Secret;
import io.miaobu.api.config.ConfigField;
import io.miaobu.api.config.ConfigFieldType;
import io.miaobu.api.config.ConfigProblem;
import io.miaobu.api.config.ConfigSchema;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.server.secrets.SecretBox;
import io.miaobu.server.secrets.SecretRedactor;
import io.miaobu.server.web.UserFacingException;
import java.net.URI;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Values of a {@link ConfigSchema} as they are stored, whoever stores them: server-wide extension settings and
 * notification channels ({@link ExtensionSettings}) and a project's extension settings. Plain values are kept as
 * they are, secret ones sealed by the {@link SecretBox} for one purpose; this class reads them back (defaults filled,
 * secrets opened), shows them for a form (secrets only as set or not), and checks submitted ones against the schema
 * and the owner's own validation.
 */
public final class SchemaSettings {

    /** The longest value a field takes. */
    public static final int MAX_VALUE = 4000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private SchemaSettings() {
    }

    /** One stored field: its plain value, or its sealed one for a secret. */
    public record Stored(String plain, String sealed) {
    }

    /**
     * Submitted values that passed every check, ready to store.
     *
     * @param plain     plain values by field name
     * @param sealed    secret values as stored (sealed), by field name
     * @param secrets   secret values opened, by field name: what the owner's calls receive
     * @param generated secrets generated now for {@linkplain ConfigField#generated() generated} fields, to show once
     */
    public record Checked(Map<String, String> plain, Map<String, String> sealed, Map<String, Secret> secrets,
                          Map<String, String> generated) {

        /** The values as the owner's calls receive them. */
        public ConfigValues values() {
            return ConfigValues.of(plain, secrets);
        }
    }

    /** The stored values for {@code schema}, secrets opened (and masked in logs from now on), defaults filled in. */
    public static ConfigValues values(ConfigSchema schema, Map<String, Stored> stored, SecretBox box, String purpose) {
        var plain = new HashMap<String, String>();
        var secrets = new HashMap<String, Secret>();
        for (ConfigField field : schema.fields()) {
            Stored value = stored.get(field.name());
            if (field.secret()) {
                if (value != null && value.sealed() != null) {
                    String opened = box.open(value.sealed(), purpose);
                    SecretRedactor.register(opened);
                    secrets.put(field.name(), Secret.of(opened));
                }
            } else if (value != null && value.plain() != null) {
                plain.put(field.name(), value.plain());
            } else if (field.defaultValue() != null) {
                plain.put(field.name(), field.defaultValue());
            }
        }
        return ConfigValues.of(plain, secrets);
    }

    /** The form's fields: never a secret's value, only whether one is stored. */
    public static List<ExtensionSettings.FieldView> view(ConfigSchema schema, Map<String, Stored> stored) {
        var views = new ArrayList<ExtensionSettings.FieldView>();
        for (ConfigField field : schema.fields()) {
            Stored value = stored.get(field.name());
            boolean isSet = value != null && (field.secret() ? value.sealed() != null : value.plain() != null);
            String shown = field.secret() ? null
                    : value != null && value.plain() != null ? value.plain() : field.defaultValue();
            views.add(new ExtensionSettings.FieldView(field.name(), field.label(), field.helpText(),
                    field.type().name(), field.required(), field.secret(), shown, isSet, field.options()));
        }
        return views;
    }

    /**
     * Checks submitted values against {@code schema} and then {@code validator}. A secret field left empty keeps its
     * stored value; one named in {@code clear} is removed; a {@linkplain ConfigField#generated() generated secret}
     * left empty, with none stored, gets a random value. Fields the schema does not have are refused.
     *
     * @param stored    what is stored now, by field name
     * @param validator the owner's own checks of the values (an extension's {@code validate})
     * @throws UserFacingException 400 naming the field at fault (the first, when the validator finds several)
     */
    public static Checked check(ConfigSchema schema, Map<String, String> submitted, Set<String> clear,
                                Map<String, Stored> stored, SecretBox box, String purpose,
                                Function<ConfigValues, List<ConfigProblem>> validator) {
        Map<String, ConfigField> fields = new LinkedHashMap<>();
        schema.fields().forEach(f -> fields.put(f.name(), f));
        for (String name : submitted.keySet()) {
            if (!fields.containsKey(name)) {
                throw UserFacingException.invalid(name, "There is no setting '" + name + "'.");
            }
        }
        var generated = new LinkedHashMap<String, String>();
        var plain = new HashMap<String, String>();
        var secrets = new HashMap<String, Secret>();
        var sealed = new HashMap<String, String>();
        for (ConfigField field : fields.values()) {
            String raw = submitted.get(field.name());
            String value = raw == null ? null
                    : (field.type() == ConfigFieldType.TEXT || field.secret() ? raw : raw.strip());
            if (field.secret()) {
                if (clear.contains(field.name())) {
                    continue;
                }
                Stored kept = stored.get(field.name());
                if (value != null && !value.isEmpty()) {
                    checkLength(field, value);
                    secrets.put(field.name(), Secret.of(value));
                    sealed.put(field.name(), box.seal(value, purpose));
                } else if (kept != null && kept.sealed() != null) {
                    secrets.put(field.name(), Secret.of(box.open(kept.sealed(), purpose)));
                    sealed.put(field.name(), kept.sealed());
                } else if (field.generated()) {
                    String fresh = randomSecret();
                    generated.put(field.name(), fresh);
                    secrets.put(field.name(), Secret.of(fresh));
                    sealed.put(field.name(), box.seal(fresh, purpose));
                } else if (field.required()) {
                    throw UserFacingException.invalid(field.name(), field.label() + " is required.");
                }
                continue;
            }
            if (field.type() == ConfigFieldType.BOOLEAN) {
                value = Boolean.toString(value != null && (value.equals("true") || value.equals("on")));
            }
            if ((value == null || value.isEmpty()) && field.defaultValue() != null) {
                value = field.defaultValue(); // left empty: the extension's default
            }
            if (value == null || value.isEmpty()) {
                if (field.required()) {
                    throw UserFacingException.invalid(field.name(), field.label() + " is required.");
                }
                continue;
            }
            checkLength(field, value);
            checkType(field, value);
            plain.put(field.name(), value);
        }
        var checked = new Checked(Map.copyOf(plain), Map.copyOf(sealed), Map.copyOf(secrets),
                java.util.Collections.unmodifiableMap(generated));
        List<ConfigProblem> problems;
        try {
            problems = validator.apply(checked.values());
        } catch (RuntimeException e) {
            throw UserFacingException.invalid(null, "The extension could not check these settings.");
        }
        if (problems != null && !problems.isEmpty()) {
            ConfigProblem first = problems.get(0);
            throw UserFacingException.invalid(first.field(), first.message());
        }
        return checked;
    }

    /** Masks the secrets of values about to be stored in every log line from now on. */
    public static void registerSecrets(Checked checked) {
        checked.secrets().values().forEach(secret -> SecretRedactor.register(secret.reveal()));
    }

    private static String randomSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static void checkLength(ConfigField field, String value) {
        if (value.length() > MAX_VALUE) {
            throw UserFacingException.invalid(field.name(), "At most " + MAX_VALUE + " characters.");
        }
        if (field.type() != ConfigFieldType.TEXT && value.chars().anyMatch(c -> c < 0x20 && c != '\t')) {
            throw UserFacingException.invalid(field.name(), "Control characters are not allowed here.");
        }
    }

    private static void checkType(ConfigField field, String value) {
        switch (field.type()) {
            case INTEGER -> {
                try {
                    Long.parseLong(value);
                } catch (NumberFormatException e) {
                    throw UserFacingException.invalid(field.name(), field.label() + " must be a whole number.");
                }
            }
            case CHOICE -> {
                if (!field.options().contains(value)) {
                    throw UserFacingException.invalid(field.name(), field.label() + " must be one of "
                            + String.join(", ", field.options()) + ".");
                }
            }
            case URL -> {
                try {
                    URI uri = new URI(value);
                    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
                    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
                        throw new IllegalArgumentException();
                    }
                } catch (Exception e) {
                    throw UserFacingException.invalid(field.name(), field.label()
                            + " must be an absolute http or https URL.");
                }
            }
            default -> {
            }
        }
    }
}
