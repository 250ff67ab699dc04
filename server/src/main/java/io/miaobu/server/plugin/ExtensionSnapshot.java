package io.miaobu.server.plugin;

import io.miaobu.api.MiaobuExtension;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The extensions as they were when a build started, with a lease on the class loader of every plugin that was
 * running then: an upgrade, a disable or an uninstall meanwhile changes what later builds get, not what this one
 * uses, and the old version's classes stay loadable until {@link #close()}.
 */
public final class ExtensionSnapshot implements Extensions, AutoCloseable {

    private final Map<Class<?>, List<?>> byPoint;
    private final List<LeasedClassLoader> leases;
    private final AtomicBoolean closed = new AtomicBoolean();

    ExtensionSnapshot(Map<Class<?>, List<?>> byPoint, List<LeasedClassLoader> leases) {
        this.byPoint = Map.copyOf(byPoint);
        this.leases = List.copyOf(leases);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends MiaobuExtension> List<T> all(Class<T> point) {
        List<?> extensions = byPoint.get(point);
        if (extensions == null) {
            throw new IllegalArgumentException(point.getSimpleName() + " is not an extension point");
        }
        return (List<T>) extensions;
    }

    /** The plugin versions this snapshot holds, {@code id → version}. */
    public Map<String, String> pluginVersions() {
        var versions = new java.util.TreeMap<String, String>();
        leases.forEach(l -> versions.put(l.pluginId(), l.version()));
        return versions;
    }

    /** Gives the leases back; the class loader of a plugin unloaded meanwhile closes if this was its last user. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            leases.forEach(LeasedClassLoader::release);
        }
    }
}
