package io.miaobu.server.plugin;

import io.miaobu.api.MiaobuExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The extensions of every started plugin plus the core's own, per extension point, cached until a plugin changes
 * state.
 */
public final class ExtensionRegistry {

    private final PluginHost host;
    private final List<MiaobuExtension> builtIns;
    private final Map<Class<?>, List<?>> cache = new ConcurrentHashMap<>();

    public ExtensionRegistry(PluginHost host, List<MiaobuExtension> builtIns) {
        this.host = host;
        this.builtIns = List.copyOf(builtIns);
        host.onChange(cache::clear);
    }

    @SuppressWarnings("unchecked")
    public <T extends MiaobuExtension> List<T> all(Class<T> point) {
        return (List<T>) cache.computeIfAbsent(point, type -> load(point));
    }

    public <T extends MiaobuExtension> Optional<T> find(Class<T> point, String id) {
        return all(point).stream().filter(e -> e.id().equals(id)).findFirst();
    }

    /** The plugin an extension comes from, {@code core} for built-ins. */
    public String ownerOf(MiaobuExtension extension) {
        String plugin = host.pluginIdOf(extension.getClass());
        return plugin == null ? "core" : plugin;
    }

    private <T extends MiaobuExtension> List<T> load(Class<T> point) {
        var result = new ArrayList<T>();
        for (MiaobuExtension builtIn : builtIns) {
            if (point.isInstance(builtIn)) {
                result.add(point.cast(builtIn));
            }
        }
        result.addAll(host.manager().getExtensions(point));
        return List.copyOf(result);
    }
}
