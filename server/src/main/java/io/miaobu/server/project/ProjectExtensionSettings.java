package io.miaobu.server.project;

import io.miaobu.api.MiaobuExtension;
import io.miaobu.api.build.BuildRunner;
import io.miaobu.api.build.Builder;
import io.miaobu.api.cdn.CdnProvider;
import io.miaobu.api.config.ConfigField;
import io.miaobu.api.config.ConfigSchema;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.deploy.DeployTarget;
import io.miaobu.api.dns.DnsProvider;
import io.miaobu.api.source.SourceProvider;
import io.miaobu.server.audit.Actor;
import io.miaobu.server.audit.AuditAction;
import io.miaobu.server.audit.AuditLog;
import io.miaobu.server.plugin.ExtensionRegistry;
import io.miaobu.server.plugin.ExtensionSettings;
import io.miaobu.server.plugin.SchemaSettings;
import io.miaobu.server.secrets.SecretBox;
import io.miaobu.server.secrets.SecretColumn;
import io.miaobu.server.web.UserFacingException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jdbi.v3.core.Jdbi;

/**
 * The settings each project saves for the extensions it uses, from their {@code projectSettings()} schema: stored per
 * project, per extension and per field like the server-wide ones ({@link ExtensionSettings}): plain values as they
 * are, secret ones sealed by the {@link SecretBox} and never shown again, checked against the schema and by the
 * extension's own {@code validate(global, project)} before they are stored. Extensions receive them, opened, on every
 * call made for the project ({@link #valuesFor}).
 *
 * <p>It lives beside the project because what it answers is about one project (which extensions it uses, who may
 * change them, the rows go with it); the schema handling it shares with the server-wide settings is
 * {@link SchemaSettings}.
 */
public final class ProjectExtensionSettings implements ProjectExtensionValues {

    public static final String SECRET_PURPOSE = "project-extension-setting";
    /** Where the sealed values are, for key rotation. */
    public static final SecretColumn SECRET_COLUMN = new SecretColumn("project_extension_settings", "id",
            "sealed_value", SECRET_PURPOSE);

    private final Jdbi jdbi;
    private final ExtensionRegistry extensions;
    private final ExtensionSettings globalSettings;
    private final String buildRunner;
    private final SecretBox box;
    private final AuditLog audit;
    private final Clock clock;

    /**
     * @param buildRunner the id of the runner builds run with ({@code builds.runner}): the projects use it too
     */
    public ProjectExtensionSettings(Jdbi jdbi, ExtensionRegistry extensions, ExtensionSettings globalSettings,
                                    String buildRunner, SecretBox box, AuditLog audit, Clock clock) {
        this.jdbi = jdbi;
        this.extensions = extensions;
        this.globalSettings = globalSettings;
        this.buildRunner = buildRunner;
        this.box = box;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * An extension a project uses.
     *
     * @param point the extension point's simple name, e.g. {@code Builder}
     */
    public record UsedExtension(String point, MiaobuExtension extension) {

        public String id() {
            return extension.id();
        }

        public String name() {
            return extension.displayName();
        }
    }

    /**
     * The installed extensions the project uses that take settings per project, each once: its source, builder,
     * build runner and deploy target, and the CDN and DNS provider of its deploy target's id (whose settings are the
     * deploy target's when it takes them too).
     */
    public List<UsedExtension> withSettings(Project project) {
        var seen = new HashSet<String>();
        var used = new ArrayList<UsedExtension>();
        for (UsedExtension candidate : usedBy(project)) {
            if (!schemaOf(candidate.extension()).isEmpty()
                    && seen.add(globalSettings.key(candidate.point(), candidate.id()))) {
                used.add(candidate);
            }
        }
        return used;
    }

    /**
     * The extension of {@code point} and {@code id}, which the project must use.
     *
     * @throws UserFacingException 404 when no such extension is installed or the project does not use it
     */
    public UsedExtension extensionOf(Project project, String point, String id) {
        return usedBy(project).stream()
                .filter(e -> e.point().equals(point) && e.id().equals(id))
                .findFirst()
                .orElseThrow(() -> {
                    globalSettings.extension(point, id); // 404 naming it when it is not installed at all
                    return UserFacingException.notFound("The project " + project.slug() + " does not use the"
                            + " extension " + point + "/" + id + ".");
                });
    }

    /** The project's values for the extension, secrets opened, defaults filled in: what its calls receive. */
    @Override
    public ConfigValues valuesFor(long projectId, String point, MiaobuExtension extension) {
        ConfigSchema schema = schemaOf(extension);
        if (schema.isEmpty()) {
            return ConfigValues.EMPTY;
        }
        return SchemaSettings.values(schema, load(projectId, globalSettings.key(point, extension.id())), box,
                SECRET_PURPOSE);
    }

    /** The form's fields: never a secret's value, only whether one is stored. */
    public List<ExtensionSettings.FieldView> view(long projectId, UsedExtension used) {
        return SchemaSettings.view(schemaOf(used.extension()),
                load(projectId, globalSettings.key(used.point(), used.id())));
    }

    /**
     * Checks and stores the project's settings for the extension, replacing what was there. A secret field left empty
     * keeps its stored value; one named in {@code clear} is removed. The extension's {@code validate} sees its
     * server-wide settings beside the submitted ones.
     *
     * @throws UserFacingException 400 naming the field at fault
     */
    public void save(Project project, UsedExtension used, Map<String, String> submitted, Set<String> clear,
                     Actor actor) {
        ConfigSchema schema = schemaOf(used.extension());
        if (schema.isEmpty()) {
            throw UserFacingException.invalid(null, used.name() + " has no settings per project.");
        }
        String key = globalSettings.key(used.point(), used.id());
        ConfigValues global = globalSettings.valuesFor(used.point(), used.extension());
        SchemaSettings.Checked checked = SchemaSettings.check(schema, submitted, clear, load(project.id(), key), box,
                SECRET_PURPOSE, values -> used.extension().validate(global, values));
        var now = clock.instant();
        jdbi.useTransaction(handle -> {
            // one save of a project's settings at a time; a project deleted meanwhile is not found
            handle.createQuery("SELECT id FROM projects WHERE id = ? FOR UPDATE").bind(0, project.id())
                    .mapTo(Long.class).findOne()
                    .orElseThrow(() -> UserFacingException.notFound("No project " + project.id() + "."));
            handle.createUpdate("DELETE FROM project_extension_settings WHERE project_id = ? AND extension = ?")
                    .bind(0, project.id()).bind(1, key).execute();
            for (ConfigField field : schema.fields()) {
                String plain = checked.plain().get(field.name());
                String sealed = checked.sealed().get(field.name());
                if (plain == null && sealed == null) {
                    continue;
                }
                handle.createUpdate("""
                                INSERT INTO project_extension_settings
                                    (project_id, extension, name, plain_value, sealed_value, updated_at)
                                VALUES (?, ?, ?, ?, ?, ?)""")
                        .bind(0, project.id()).bind(1, key).bind(2, field.name()).bind(3, plain).bind(4, sealed)
                        .bind(5, now)
                        .execute();
            }
        });
        SchemaSettings.registerSecrets(checked);
        var cleared = new TreeSet<>(clear);
        cleared.retainAll(schema.fields().stream().filter(ConfigField::secret).map(ConfigField::name).toList());
        audit.record(actor, AuditAction.PROJECT_EXTENSION_SETTINGS_CHANGED, "project:" + project.slug(),
                key + " fields: " + String.join(", ", schema.fields().stream().map(ConfigField::name).toList())
                        + (cleared.isEmpty() ? "" : "; cleared: " + String.join(", ", cleared)));
    }

    /** Every installed extension the project uses, whether it takes project settings or not. */
    private List<UsedExtension> usedBy(Project project) {
        var used = new ArrayList<UsedExtension>();
        find(SourceProvider.class, project.sourceProvider()).ifPresent(used::add);
        find(Builder.class, project.builder()).ifPresent(used::add);
        find(BuildRunner.class, buildRunner).ifPresent(used::add);
        find(DeployTarget.class, project.deployTarget()).ifPresent(used::add);
        find(CdnProvider.class, project.deployTarget()).ifPresent(used::add);
        find(DnsProvider.class, project.deployTarget()).ifPresent(used::add);
        return used;
    }

    private Optional<UsedExtension> find(Class<? extends MiaobuExtension> point, String id) {
        if (id == null) {
            return Optional.empty();
        }
        return extensions.find(point, id).map(e -> new UsedExtension(point.getSimpleName(), e));
    }

    /** An extension that answers no schema at all has no project settings. */
    private static ConfigSchema schemaOf(MiaobuExtension extension) {
        ConfigSchema schema = extension.projectSettings();
        return schema == null ? ConfigSchema.EMPTY : schema;
    }

    private Map<String, SchemaSettings.Stored> load(long projectId, String key) {
        return jdbi.withHandle(handle -> handle.createQuery("""
                        SELECT name, plain_value, sealed_value FROM project_extension_settings
                        WHERE project_id = ? AND extension = ?""")
                .bind(0, projectId).bind(1, key)
                .reduceRows(new HashMap<String, SchemaSettings.Stored>(), (map, row) -> {
                    map.put(row.getColumn("name", String.class), new SchemaSettings.Stored(
                            row.getColumn("plain_value", String.class), row.getColumn("sealed_value", String.class)));
                    return map;
                }));
    }
}
