package io.miaobu.api;

import io.miaobu.api.config.ConfigProblem;
import io.miaobu.api.config.ConfigSchema;
import io.miaobu.api.config.ConfigValues;
import java.util.List;
import org.pf4j.ExtensionPoint;

/**
 * The root of every Miaobu extension point.
 *
 * <p>The host reads {@link #id()}, {@link #displayName()} and the two schemas once, when the plugin starts, on the
 * thread that starts plugins; {@link #validate} is called on a request thread whenever an admin or a user saves
 * settings. Implementations are stateless, thread-safe singletons (see the package documentation).
 */
public interface MiaobuExtension extends ExtensionPoint {

    /**
     * A stable, kebab-case identifier ({@code git}, {@code local-storage}), unique within its extension point. It is
     * persisted with every project and deployment that uses the extension, so it must never change between versions.
     */
    String id();

    /** A short human-readable name shown in pages, e.g. {@code "Git repository"}. */
    String displayName();

    /**
     * Server-wide settings an admin fills in once (credentials, endpoints). The host renders the form from this schema,
     * stores the values (secrets encrypted) and passes them to every call as {@code ConfigValues}.
     */
    default ConfigSchema globalSettings() {
        return ConfigSchema.EMPTY;
    }

    /** Settings a user fills in per project. Rendered, stored and passed like {@link #globalSettings()}. */
    default ConfigSchema projectSettings() {
        return ConfigSchema.EMPTY;
    }

    /**
     * Checks settings beyond what the schema can express (for example that two fields agree). Called before the host
     * saves them; the host has already checked types, required fields and lengths against the schema.
     *
     * @param global  the server-wide settings, as they would be saved
     * @param project the project's settings, or {@link ConfigValues#EMPTY} when global settings are being saved
     * @return problems to show beside the fields; empty when the settings are acceptable
     */
    default List<ConfigProblem> validate(ConfigValues global, ConfigValues project) {
        return List.of();
    }

    /**
     * Tests the server-wide settings against the remote service the extension talks to, one check per permission or
     * capability it needs, so an admin learns which one is missing ("test connection" on the settings page). Called on
     * a request thread; each check should take at most a few seconds. Nothing may be left behind (test objects are
     * deleted again). The default has nothing to test.
     *
     * @return the checks in the order they ran; empty when this extension has no connection to test
     */
    default java.util.List<io.miaobu.api.config.ConnectionCheck> checkConnection(
            io.miaobu.api.config.ConfigValues global) {
        return java.util.List.of();
    }
}
