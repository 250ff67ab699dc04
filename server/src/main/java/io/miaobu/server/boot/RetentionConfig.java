package io.miaobu.server.boot;

/**
 * What the retention policy keeps (see docs/admin/configuration.md, "Retention and disk").
 *
 * @param deployments how many of each project's newest deployments keep their published files
 *                    ({@code retention.deployments}, default 10); older ones are purged unless live or pinned
 * @param logs        how many of each project's newest deployments keep their build logs ({@code retention.logs},
 *                    default 50); a purged deployment loses its log whatever its age
 */
public record RetentionConfig(int deployments, int logs) {

    public static final RetentionConfig DEFAULTS = new RetentionConfig(10, 50);

    public RetentionConfig {
        if (deployments < 1 || logs < 1) {
            throw new IllegalArgumentException("retention keeps at least one deployment and one log per project");
        }
    }
}
