package io.miaobu.server.plugin;

import io.miaobu.api.MiaobuExtension;
import java.util.List;
import java.util.Optional;

/**
 * Where the core gets extensions: {@link ExtensionRegistry} for the plugins running now, or an
 * {@link ExtensionSnapshot} a build took when it started.
 */
public interface Extensions {

    /** The extensions of one point, the core's own first. */
    <T extends MiaobuExtension> List<T> all(Class<T> point);

    default <T extends MiaobuExtension> Optional<T> find(Class<T> point, String id) {
        return all(point).stream().filter(e -> id != null && id.equals(e.id())).findFirst();
    }
}
