package io.miaobu.server.project;

import io.miaobu.server.audit.Actor;
import io.miaobu.server.audit.AuditAction;
import io.miaobu.server.audit.AuditLog;
import io.miaobu.server.secrets.SecretBox;
import io.miaobu.server.secrets.SecretRedactor;
import io.miaobu.server.web.UserFacingException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;

/**
 * A project's environment variables, per environment ({@code production} or {@code preview}). Secret values are
 * sealed by the {@link SecretBox} and never shown again; the build reads them opened.
 */
public final class ProjectVariables {

    public static final String SECRET_PURPOSE = "project-variable";
    public static final List<String> ENVIRONMENTS = List.of("production", "preview");
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    /** Names the build's own environment depends on. */
    private static final Set<String> RESERVED = Set.of("PATH", "HOME", "SHELL", "USER", "PWD", "LD_PRELOAD",
            "LD_LIBRARY_PATH", "NODE_OPTIONS", "CI");
    private static final int MAX_VALUE_BYTES = 8000;
    private static final int MAX_PER_PROJECT = 200;

    private final Jdbi jdbi;
    private final SecretBox box;
    private final AuditLog audit;
    private final Clock clock;

    public ProjectVariables(Jdbi jdbi, SecretBox box, AuditLog audit, Clock clock) {
        this.jdbi = jdbi;
        this.box = box;
        this.audit = audit;
        this.clock = clock;
    }

    /** A variable as pages and the API show it: a secret's value is {@code null}. */
    public record Variable(String name, String environment, boolean secret, String value, Instant updatedAt) {
    }

    public List<Variable> list(long projectId) {
        return jdbi.withHandle(handle -> handle.createQuery("""
                        SELECT name, environment, plain_value, sealed_value, updated_at FROM project_variables
                        WHERE project_id = ? ORDER BY name, environment""")
                .bind(0, projectId)
                .map((rs, ctx) -> new Variable(rs.getString(1), rs.getString(2), rs.getString(4) != null,
                        rs.getString(3), rs.getTimestamp(5).toInstant()))
                .list());
    }

    /**
     * Creates or replaces a variable.
     *
     * @throws UserFacingException 400 naming the field at fault
     */
    public Variable set(long projectId, String projectSlug, String name, String environment, String value,
                        boolean secret, Actor actor) {
        String cleanName = checkName(name);
        String env = checkEnvironment(environment);
        if (value == null) {
            throw UserFacingException.invalid("value", "Enter a value (it may be empty).");
        }
        if (value.getBytes(StandardCharsets.UTF_8).length > MAX_VALUE_BYTES) {
            throw UserFacingException.invalid("value", "A value may have at most " + MAX_VALUE_BYTES + " bytes.");
        }
        if (value.indexOf('\0') >= 0) {
            throw UserFacingException.invalid("value", "A value may not contain NUL characters.");
        }
        String sealed = secret ? box.seal(value, SECRET_PURPOSE) : null;
        Instant now = clock.instant();
        jdbi.useTransaction(handle -> {
            int updated = handle.createUpdate("""
                            UPDATE project_variables SET plain_value = ?, sealed_value = ?, updated_at = ?
                            WHERE project_id = ? AND environment = ? AND name = ?""")
                    .bind(0, secret ? null : value).bind(1, sealed).bind(2, now)
                    .bind(3, projectId).bind(4, env).bind(5, cleanName).execute();
            if (updated == 0) {
                long count = handle.createQuery("SELECT count(*) FROM project_variables WHERE project_id = ?")
                        .bind(0, projectId).mapTo(Long.class).one();
                if (count >= MAX_PER_PROJECT) {
                    throw UserFacingException.invalid("name", "A project may have at most " + MAX_PER_PROJECT
                            + " variables.");
                }
                handle.createUpdate("""
                                INSERT INTO project_variables (project_id, environment, name, plain_value, sealed_value,
                                                               updated_at)
                                VALUES (?, ?, ?, ?, ?, ?)""")
                        .bind(0, projectId).bind(1, env).bind(2, cleanName).bind(3, secret ? null : value)
                        .bind(4, sealed).bind(5, now).execute();
            }
        });
        if (secret) {
            SecretRedactor.register(value);
        }
        audit.record(actor, AuditAction.VARIABLE_SET, "project:" + projectSlug,
                cleanName + " (" + env + (secret ? ", secret" : "") + ")");
        return new Variable(cleanName, env, secret, secret ? null : value, now);
    }

    /** @throws UserFacingException 404 when there is no such variable */
    public void delete(long projectId, String projectSlug, String name, String environment, Actor actor) {
        String env = checkEnvironment(environment);
        int deleted = jdbi.withHandle(handle -> handle.createUpdate(
                        "DELETE FROM project_variables WHERE project_id = ? AND environment = ? AND name = ?")
                .bind(0, projectId).bind(1, env).bind(2, name == null ? "" : name.strip()).execute());
        if (deleted == 0) {
            throw UserFacingException.notFound("There is no variable '" + name + "' for " + env + ".");
        }
        audit.record(actor, AuditAction.VARIABLE_DELETED, "project:" + projectSlug, name + " (" + env + ")");
    }

    /**
     * What a build of one environment gets.
     *
     * @param all     every variable, secrets opened, by name
     * @param secrets the secret ones among them
     */
    public record Resolved(Map<String, String> all, Map<String, String> secrets) {
        @Override
        public String toString() {
            return "Resolved" + all.keySet();
        }
    }

    /**
     * The variables a build of this environment gets, secrets opened (and registered for redaction from the server
     * log). Sorted by name.
     */
    public Resolved resolve(long projectId, String environment) {
        String env = checkEnvironment(environment);
        var values = new LinkedHashMap<String, String>();
        var secrets = new LinkedHashMap<String, String>();
        jdbi.useHandle(handle -> handle.createQuery("""
                        SELECT name, plain_value, sealed_value FROM project_variables
                        WHERE project_id = ? AND environment = ? ORDER BY name""")
                .bind(0, projectId).bind(1, env)
                .map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3)})
                .forEach(row -> {
                    if (row[2] != null) {
                        String opened = box.open(row[2], SECRET_PURPOSE);
                        SecretRedactor.register(opened);
                        values.put(row[0], opened);
                        secrets.put(row[0], opened);
                    } else {
                        values.put(row[0], row[1]);
                    }
                }));
        return new Resolved(values, secrets);
    }

    private static String checkName(String name) {
        String clean = name == null ? "" : name.strip();
        if (!NAME.matcher(clean).matches()) {
            throw UserFacingException.invalid("name", "A name has letters, digits and '_', starts with a letter or"
                    + " '_', and has at most 128 characters.");
        }
        if (RESERVED.contains(clean.toUpperCase(Locale.ROOT)) || clean.toUpperCase(Locale.ROOT).startsWith("MIAOBU_")) {
            throw UserFacingException.invalid("name", "'" + clean + "' is set by Miaobu for every build.");
        }
        return clean;
    }

    private static String checkEnvironment(String environment) {
        String env = environment == null || environment.isBlank() ? "production"
                : environment.strip().toLowerCase(Locale.ROOT);
        if (!ENVIRONMENTS.contains(env)) {
            throw UserFacingException.invalid("environment", "The environment is production or preview.");
        }
        return env;
    }
}
