package io.miaobu.server.plugin;

import io.miaobu.api.identity.IdentityProvider;
import io.miaobu.api.source.SourceProvider;

import io.miaobu.api.MiaobuExtension;
import io.miaobu.api.config.ConfigField;
import io.miaobu.api.config.ConfigProblem;
import io.miaobu.api.config.ConfigSchema;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.server.audit.Actor;
import io.miaobu.server.audit.AuditAction;
import io.miaobu.server.audit.AuditLog;
import io.miaobu.server.secrets.SecretBox;
import io.miaobu.server.web.UserFacingException;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.jdbi.v3.core.Jdbi;

/**
 * Extensions' server-wide settings, as admins save them from the extension's {@code globalSettings()} schema: plain
 * values as they are, secret values sealed by the {@link SecretBox} and never shown again. Extensions receive them,
 * opened, as {@link ConfigValues}.
 */
public final class ExtensionSettings {

    public static final String SECRET_PURPOSE = "extension-setting";

    private final Jdbi jdbi;
    private final ExtensionRegistry extensions;
    private final SecretBox box;
    private final AuditLog audit;
    private final Clock clock;
    /** Connection tests run on a request thread: a plugin that hangs must not hold it (null: call directly). */
    private final PluginCalls calls;

    public ExtensionSettings(Jdbi jdbi, ExtensionRegistry extensions, SecretBox box, AuditLog audit, Clock clock) {
        this(jdbi, extensions, box, audit, clock, null);
    }

    /** @param calls runs connection tests with a time limit */
    public ExtensionSettings(Jdbi jdbi, ExtensionRegistry extensions, SecretBox box, AuditLog audit, Clock clock,
                             PluginCalls calls) {
        this.calls = calls;
        this.jdbi = jdbi;
        this.extensions = extensions;
        this.box = box;
        this.audit = audit;
        this.clock = clock;
    }

    /** One field as the settings form shows it: never a secret's value, only whether one is stored. */
    public record FieldView(String name, String label, String help, String type, boolean required, boolean secret,
                            String value, boolean isSet, List<String> options) {
    }

    /** The extension of a point (its simple name, e.g. {@code SourceProvider}) and id; 404 when not installed. */
    public MiaobuExtension extension(String point, String id) {
        return PluginsPage.POINTS.stream()
                .filter(p -> p.getSimpleName().equals(point))
                .findFirst()
                .flatMap(p -> extensions.find(p, id).map(e -> (MiaobuExtension) e))
                .orElseThrow(() -> UserFacingException.notFound("No extension " + point + "/" + id + " is installed."));
    }

    /** The stored settings of an extension, secrets opened, defaults filled in: what its calls receive. */
    public ConfigValues valuesFor(String point, MiaobuExtension extension) {
        return valuesFor(key(point, extension.id()), extension.globalSettings());
    }

    /**
     * Settings stored under {@code key} (an extension's {@code <point>:<id>}, a notification channel's
     * {@code channel:<id>}) for {@code schema}, secrets opened, defaults filled in.
     */
    public ConfigValues valuesFor(String key, ConfigSchema schema) {
        return SchemaSettings.values(schema, load(key), box, SECRET_PURPOSE);
    }

    public List<FieldView> view(String point, MiaobuExtension extension) {
        return view(key(point, extension.id()), extension.globalSettings());
    }

    /** The form's fields for settings stored under {@code key}: never a secret's value, only whether one is set. */
    public List<FieldView> view(String key, ConfigSchema schema) {
        return SchemaSettings.view(schema, load(key));
    }

    /**
     * Checks and stores submitted settings. A secret field left empty keeps its stored value; one named in
     * {@code clear} is removed. Fields the schema does not have are refused.
     *
     * @throws UserFacingException 400 naming the field at fault
     */
    public void save(String point, MiaobuExtension extension, Map<String, String> submitted, Set<String> clear,
                     Actor actor) {
        String key = key(point, extension.id());
        store(key, extension.globalSettings(), submitted, clear,
                values -> extension.validate(values, ConfigValues.EMPTY));
        audit.record(actor, AuditAction.PLUGIN_SETTINGS_CHANGED, "extension:" + key,
                "fields: " + String.join(", ", extension.globalSettings().fields().stream().map(ConfigField::name)
                        .toList()));
    }

    /**
     * Checks and stores settings under {@code key} for {@code schema}, replacing what was there (see
     * {@link SchemaSettings#check}).
     *
     * @param validator the owner's own checks of the values
     * @return the secrets generated now, by field name: to be shown once
     * @throws UserFacingException 400 naming the field at fault
     */
    public Map<String, String> store(String key, ConfigSchema settingsSchema, Map<String, String> submitted,
                                     Set<String> clear, Function<ConfigValues, List<ConfigProblem>> validator) {
        SchemaSettings.Checked checked = SchemaSettings.check(settingsSchema, submitted, clear, load(key), box,
                SECRET_PURPOSE, validator);
        var now = clock.instant();
        jdbi.useTransaction(handle -> {
            handle.createUpdate("DELETE FROM plugin_settings WHERE extension = ?").bind(0, key).execute();
            for (ConfigField field : settingsSchema.fields()) {
                String plainValue = checked.plain().get(field.name());
                String sealedValue = checked.sealed().get(field.name());
                if (plainValue == null && sealedValue == null) {
                    continue;
                }
                handle.createUpdate("""
                                INSERT INTO plugin_settings (extension, name, plain_value, sealed_value, updated_at)
                                VALUES (?, ?, ?, ?, ?)""")
                        .bind(0, key).bind(1, field.name()).bind(2, plainValue).bind(3, sealedValue).bind(4, now)
                        .execute();
            }
        });
        SchemaSettings.registerSecrets(checked);
        return checked.generated();
    }

    /** Removes every setting stored under {@code key}. */
    public void delete(String key) {
        jdbi.useHandle(handle -> handle.createUpdate("DELETE FROM plugin_settings WHERE extension = ?").bind(0, key)
                .execute());
    }

    private Map<String, SchemaSettings.Stored> load(String key) {
        return jdbi.withHandle(handle -> handle
                .createQuery("SELECT name, plain_value, sealed_value FROM plugin_settings WHERE extension = ?")
                .bind(0, key)
                .reduceRows(new HashMap<String, SchemaSettings.Stored>(), (map, row) -> {
                    map.put(row.getColumn("name", String.class), new SchemaSettings.Stored(
                            row.getColumn("plain_value", String.class), row.getColumn("sealed_value", String.class)));
                    return map;
                }));
    }

    /**
     * Where an extension's settings are stored. A plugin's extensions of one id that serve one service share one
     * record: a sign-in (IdentityProvider) uses its source's (SourceProvider), a CDN or DNS provider its deploy
     * target's, so an admin enters one client id, or one access key, once. Per-project settings are stored under
     * the same key.
     */
    public String key(String point, String id) {
        Class<? extends MiaobuExtension> twin = TWINS.get(point);
        if (twin != null && extensions.find(twin, id).isPresent()) {
            return twin.getSimpleName() + ":" + id;
        }
        return point + ":" + id;
    }

    /** The point whose settings record a point's extension shares, when one of the same id is installed. */
    private static final Map<String, Class<? extends MiaobuExtension>> TWINS = Map.of(
            IdentityProvider.class.getSimpleName(), SourceProvider.class,
            io.miaobu.api.cdn.CdnProvider.class.getSimpleName(), io.miaobu.api.deploy.DeployTarget.class,
            io.miaobu.api.dns.DnsProvider.class.getSimpleName(), io.miaobu.api.deploy.DeployTarget.class);

    /** Whether the extension has a connection test of its own. */
    public static boolean hasConnectionTest(MiaobuExtension extension) {
        try {
            return extension.getClass().getMethod("checkConnection", ConfigValues.class).getDeclaringClass()
                    != MiaobuExtension.class;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    /**
     * Runs the extension's connection test with its stored settings. A plugin that throws instead of reporting gives
     * one failed check saying so.
     */
    public List<io.miaobu.api.config.ConnectionCheck> checkConnection(String point, MiaobuExtension extension) {
        try {
            ConfigValues values = valuesFor(point, extension);
            return List.copyOf(calls == null ? extension.checkConnection(values)
                    : calls.call(() -> extension.checkConnection(values)));
        } catch (PluginCalls.NoAnswer e) {
            org.slf4j.LoggerFactory.getLogger(ExtensionSettings.class).warn("The connection test of {} {}: {}",
                    point, extension.id(), e.getMessage());
            return List.of(io.miaobu.api.config.ConnectionCheck.failed("Running the test", e.getMessage()));
        } catch (RuntimeException e) {
            String reference = java.util.UUID.randomUUID().toString().substring(0, 8);
            org.slf4j.LoggerFactory.getLogger(ExtensionSettings.class).warn(
                    "The connection test of {} {} failed (reference {})", point, extension.id(), reference, e);
            return List.of(io.miaobu.api.config.ConnectionCheck.failed("Running the test",
                    e instanceof io.miaobu.api.ExtensionException ? e.getMessage()
                            : "The plugin failed; an admin can find reference " + reference + " in the server log."));
        }
    }

    public Optional<String> pointOf(MiaobuExtension extension) {
        return PluginsPage.POINTS.stream().filter(p -> p.isInstance(extension)).findFirst().map(Class::getSimpleName);
    }
}
