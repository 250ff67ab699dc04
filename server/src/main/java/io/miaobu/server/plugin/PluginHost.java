package io.miaobu.server.plugin;

import io.miaobu.api.host.HostInfo;
import io.miaobu.api.host.OutboundHttp;
import io.miaobu.server.boot.Managed;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.pf4j.DefaultPluginManager;
import org.pf4j.ExtensionFactory;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the plugin zips in {@code MIAOBU_HOME/plugins} with PF4J and hands out their extensions through
 * {@link ExtensionRegistry}. A plugin that fails to load or start is marked failed and the rest go on.
 */
public final class PluginHost implements Managed {

    private static final Logger LOG = LoggerFactory.getLogger(PluginHost.class);

    private final Path pluginsDirectory;
    private final Path pluginDataDirectory;
    private final HostFacts facts;
    private final OutboundHttp outboundHttp;
    private final Clock clock;
    private final List<Runnable> changeListeners = new CopyOnWriteArrayList<>();
    /** Made in {@link #start()}, which may run on a start-up thread of its own: PF4J's manager is slow to build. */
    private volatile MiaobuPluginManager manager;

    public PluginHost(Path pluginsDirectory, Path pluginDataDirectory, HostFacts facts, OutboundHttp outboundHttp,
                      Clock clock) {
        this.pluginsDirectory = pluginsDirectory;
        this.pluginDataDirectory = pluginDataDirectory;
        this.facts = facts;
        this.outboundHttp = outboundHttp;
        this.clock = clock;
    }

    @Override
    public void start() {
        try {
            Files.createDirectories(pluginsDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + pluginsDirectory, e);
        }
        var manager = new MiaobuPluginManager(pluginsDirectory);
        // plugin.requires is checked against the core's version; a snapshot counts as its release
        manager.setSystemVersion(facts.version().replaceFirst("-.*$", ""));
        manager.extensionFactory = new HostExtensionFactory(
                type -> hostInfoFor(type, facts, pluginDataDirectory), outboundHttp, clock);
        manager.addPluginStateListener(event -> {
            if (event.getPluginState() != PluginState.STARTED) {
                manager.extensionFactory.forget(event.getPlugin().getPluginClassLoader());
            }
            changeListeners.forEach(Runnable::run);
        });
        this.manager = manager;
        manager.loadPlugins();
        manager.startPlugins();
        for (PluginWrapper plugin : manager.getPlugins()) {
            if (plugin.getPluginState() == PluginState.STARTED) {
                LOG.info("Plugin {} {} started", plugin.getPluginId(), plugin.getDescriptor().getVersion());
            } else {
                LOG.warn("Plugin {} is {}: {}", plugin.getPluginId(), plugin.getPluginState(),
                        plugin.getFailedException() == null ? "" : plugin.getFailedException().getMessage());
            }
        }
    }

    @Override
    public void stop() {
        if (manager != null) {
            // PF4J's stopPlugins() throws ConcurrentModificationException; unloading stops each plugin first.
            manager.unloadPlugins();
        }
    }

    void onChange(Runnable listener) {
        changeListeners.add(listener);
    }

    DefaultPluginManager manager() {
        if (manager == null) {
            throw new IllegalStateException("the plugin host has not started");
        }
        return manager;
    }

    /** What the plugins page shows. */
    public List<PluginInfo> plugins() {
        return manager().getPlugins().stream()
                .map(p -> new PluginInfo(
                        p.getPluginId(),
                        p.getDescriptor().getVersion(),
                        p.getPluginState().toString(),
                        nullToEmpty(p.getDescriptor().getProvider()),
                        nullToEmpty(p.getDescriptor().getPluginDescription()),
                        nullToEmpty(p.getDescriptor().getLicense()),
                        p.getFailedException() == null ? "" : String.valueOf(p.getFailedException().getMessage())))
                .sorted(java.util.Comparator.comparing(PluginInfo::id))
                .toList();
    }

    /** The plugin that loaded {@code type}, or {@code null} for the core's own classes. */
    String pluginIdOf(Class<?> type) {
        PluginWrapper plugin = manager().whichPlugin(type);
        return plugin == null ? null : plugin.getPluginId();
    }

    private HostInfo hostInfoFor(Class<?> type, HostFacts facts, Path pluginDataDirectory) {
        PluginWrapper plugin = manager().whichPlugin(type);
        String owner = plugin == null ? "core" : plugin.getPluginId();
        Path dataDirectory = pluginDataDirectory.resolve(owner);
        try {
            Files.createDirectories(dataDirectory);
            Files.createDirectories(facts.sitesDirectory());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dataDirectory, e);
        }
        return new PluginHostInfo(facts, dataDirectory);
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }

    /** The server facts every plugin sees; the data directory is per plugin. */
    public record HostFacts(String version, URI publicUrl, String sitesDomain, int sitesPort, Path sitesDirectory) {
    }

    private record PluginHostInfo(HostFacts facts, Path dataDirectory) implements HostInfo {
        public String version() {
            return facts.version();
        }

        public URI publicUrl() {
            return facts.publicUrl();
        }

        public String sitesDomain() {
            return facts.sitesDomain();
        }

        public int sitesPort() {
            return facts.sitesPort();
        }

        public Path sitesDirectory() {
            return facts.sitesDirectory();
        }
    }

    /** One row of the plugins page. */
    public record PluginInfo(String id, String version, String state, String provider, String description,
                             String license, String error) {
    }

    private static final class MiaobuPluginManager extends DefaultPluginManager {
        // Set right after construction: PF4J calls the create*() factories inside its own constructor, before
        // subclass fields exist, so the factory is returned from getExtensionFactory() instead.
        private HostExtensionFactory extensionFactory;

        MiaobuPluginManager(Path pluginsRoot) {
            super(pluginsRoot);
        }

        @Override
        public ExtensionFactory getExtensionFactory() {
            return extensionFactory;
        }
    }
}
