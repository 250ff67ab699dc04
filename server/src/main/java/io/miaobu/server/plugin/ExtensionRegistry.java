package io.miaobu.server.plugin;

import io.miaobu.api.MiaobuExtension;
import io.miaobu.api.build.BuildRunner;
import io.miaobu.api.build.Builder;
import io.miaobu.api.cdn.CdnProvider;
import io.miaobu.api.cert.CertificateIssuer;
import io.miaobu.api.deploy.DeployTarget;
import io.miaobu.api.dns.DnsProvider;
import io.miaobu.api.identity.IdentityProvider;
import io.miaobu.api.notify.Notifier;
import io.miaobu.api.source.SourceProvider;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The extensions of every started plugin plus the core's own, per extension point, cached until a plugin changes
 * state. An extension whose {@code id()} throws or is blank is left out (and logged): every lookup by id would
 * otherwise fail for the whole point.
 */
public final class ExtensionRegistry implements Extensions {

    /** Every extension point, in the order pages list them. */
    public static final List<Class<? extends MiaobuExtension>> POINTS = List.of(SourceProvider.class,
            IdentityProvider.class, Builder.class, BuildRunner.class, DeployTarget.class, CdnProvider.class,
            CertificateIssuer.class, DnsProvider.class, Notifier.class);

    private static final Logger LOG = LoggerFactory.getLogger(ExtensionRegistry.class);

    private final PluginHost host;
    private final List<MiaobuExtension> builtIns;
    private final Map<Class<?>, List<?>> cache = new ConcurrentHashMap<>();

    public ExtensionRegistry(PluginHost host, List<MiaobuExtension> builtIns) {
        this.host = host;
        this.builtIns = List.copyOf(builtIns);
        host.onChange(cache::clear);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends MiaobuExtension> List<T> all(Class<T> point) {
        List<?> cached = cache.get(point);
        if (cached != null) {
            return (List<T>) cached;
        }
        // outside computeIfAbsent: a plugin change clears the cache while holding the host's write lock
        return host.whileStable(() -> (List<T>) cache.computeIfAbsent(point, type -> load(point)));
    }

    /**
     * The extensions as they are now, for a build that starts now: it keeps them, and the class loaders of their
     * plugins, until it closes the snapshot.
     */
    public ExtensionSnapshot snapshot() {
        return host.whileStable(() -> {
            var byPoint = new HashMap<Class<?>, List<?>>();
            for (Class<? extends MiaobuExtension> point : POINTS) {
                byPoint.put(point, all(point));
            }
            return new ExtensionSnapshot(byPoint, host.leaseStarted());
        });
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
        for (T extension : host.manager().getExtensions(point)) {
            String id;
            try {
                id = extension.id();
            } catch (RuntimeException | LinkageError e) {
                LOG.warn("Leaving out the {} {} of plugin {}: its id() failed: {}", point.getSimpleName(),
                        extension.getClass().getName(), ownerOf(extension), e.toString());
                continue;
            }
            if (id == null || id.isBlank()) {
                LOG.warn("Leaving out the {} {} of plugin {}: it has no id", point.getSimpleName(),
                        extension.getClass().getName(), ownerOf(extension));
                continue;
            }
            result.add(extension);
        }
        return List.copyOf(result);
    }
}
