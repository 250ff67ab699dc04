package io.miaobu.server.project;

import io.miaobu.api.MiaobuExtension;
import io.miaobu.api.config.ConfigValues;

/**
 * The settings a project saved for one extension (its {@code projectSettings()}), defaults filled in and secrets
 * opened: what the extension's calls for that project receive. {@link ProjectExtensionSettings} is the one that reads
 * them from the database; the parts that call extensions get this by constructor.
 */
@FunctionalInterface
public interface ProjectExtensionValues {

    /** No project has settings: every extension gets {@link ConfigValues#EMPTY}. */
    ProjectExtensionValues NONE = (projectId, point, extension) -> ConfigValues.EMPTY;

    /**
     * @param point the extension point's simple name, e.g. {@code DeployTarget}
     * @return {@link ConfigValues#EMPTY} for an extension without project settings
     */
    ConfigValues valuesFor(long projectId, String point, MiaobuExtension extension);
}
