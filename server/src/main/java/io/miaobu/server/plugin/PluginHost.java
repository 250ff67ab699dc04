package io.miaobu.server.plugin;

import io.miaobu.api.host.HostInfo;
import io.miaobu.api.host.OutboundHttp;
import io.miaobu.server.boot.Managed;
import io.miaobu.server.web.UserFacingException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.pf4j.DefaultPluginLoader;
import org.pf4j.DefaultPluginManager;
import org.pf4j.ExtensionFactory;
import org.pf4j.PluginClassLoader;
import org.pf4j.PluginDependency;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginLoader;
import org.pf4j.PluginRepository;
import org.pf4j.PluginState;
import org.pf4j.PluginStateEvent;
import org.pf4j.PluginWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the plugins in {@code MIAOBU_HOME/plugins} with PF4J, hands out their extensions through
 * {@link ExtensionRegistry}, and installs, upgrades, enables, disables and uninstalls them while the server runs. A
 * plugin that fails to load or start is marked failed with its error; the rest go on.
 *
 * <p>Changes take the write half of one lock; reading the plugins and their extensions, and taking a build's
 * {@linkplain #leaseStarted() leases}, take the read half. Each plugin has a {@link LeasedClassLoader}: a build holds
 * the loaders of the plugins it started with, so an upgrade or uninstall while it runs closes the old loader (and
 * deletes the old version's folder) only when that build has ended.
 */
public final class PluginHost implements Managed {

    private static final Logger LOG = LoggerFactory.getLogger(PluginHost.class);
    /** The error code of an upgrade that failed and was rolled back. */
    public static final String UPGRADE_ROLLED_BACK = "upgrade_rolled_back";

    private final Path pluginsDirectory;
    private final Path pluginDataDirectory;
    private final HostFacts facts;
    private final OutboundHttp outboundHttp;
    private final Clock clock;
    private final PluginFolders folders;
    private final PluginArchive.Limits limits;
    private final List<Runnable> changeListeners = new CopyOnWriteArrayList<>();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /** Plugins found but not loaded (a broken zip, a dependency missing), by id or zip name; under the lock. */
    private final Map<String, NotLoaded> notLoaded = new TreeMap<>();
    /** Plugins PF4J dropped while resolving dependencies, collected by the state listener; under the write lock. */
    private final List<PluginWrapper> dropped = new ArrayList<>();
    /** Made in {@link #start()}, which may run on a start-up thread of its own: PF4J's manager is slow to build. */
    private volatile MiaobuPluginManager manager;

    public PluginHost(Path pluginsDirectory, Path pluginDataDirectory, HostFacts facts, OutboundHttp outboundHttp,
                      Clock clock) {
        this(pluginsDirectory, pluginDataDirectory, facts, outboundHttp, clock, PluginArchive.Limits.DEFAULTS);
    }

    /** @param limits how big a plugin zip may be, unpacked and packed */
    public PluginHost(Path pluginsDirectory, Path pluginDataDirectory, HostFacts facts, OutboundHttp outboundHttp,
                      Clock clock, PluginArchive.Limits limits) {
        this.pluginsDirectory = pluginsDirectory;
        this.pluginDataDirectory = pluginDataDirectory;
        this.facts = facts;
        this.outboundHttp = outboundHttp;
        this.clock = clock;
        this.limits = limits;
        this.folders = new PluginFolders(pluginsDirectory, limits);
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
        manager.setSystemVersion(PluginVersions.release(facts.version()));
        manager.extensionFactory = new HostExtensionFactory(
                type -> hostInfoFor(type, facts, pluginDataDirectory), outboundHttp, clock);
        manager.addPluginStateListener(this::stateChanged);
        lock.writeLock().lock();
        try {
            this.manager = manager;
            PluginFolders.Found found = folders.prepare();
            found.broken().forEach((zip, error) -> notLoaded.put(zip, new NotLoaded(zip, "", "", "", "", List.of(),
                    folders.zipOf(zip.substring(0, zip.length() - ".zip".length())), "Not loaded: " + error)));
            for (Path folder : found.folders()) {
                try {
                    manager.load(folder);
                } catch (RuntimeException e) {
                    LOG.warn("Plugin folder {} was not loaded: {}", folder.getFileName(), e.getMessage());
                    notLoaded.put(folder.getFileName().toString(), NotLoaded.of(folder, "Not loaded: "
                            + messageOf(e)));
                }
            }
            resolve();
            manager.startPlugins();
        } finally {
            lock.writeLock().unlock();
        }
        for (PluginInfo plugin : plugins()) {
            if (plugin.state().equals("STARTED")) {
                LOG.info("Plugin {} {} started", plugin.id(), plugin.version());
            } else if (plugin.state().equals("DISABLED")) {
                LOG.info("Plugin {} {} is disabled", plugin.id(), plugin.version());
            } else {
                LOG.warn("Plugin {} is {}: {}", plugin.id(), plugin.state(), plugin.error());
            }
        }
    }

    @Override
    public void stop() {
        if (manager != null) {
            lock.writeLock().lock();
            try {
                // PF4J's stopPlugins() throws ConcurrentModificationException; unloading stops each plugin first.
                manager.unloadPlugins();
            } finally {
                lock.writeLock().unlock();
            }
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

    /** Runs {@code work} while no plugin changes. */
    <T> T whileStable(Supplier<T> work) {
        lock.readLock().lock();
        try {
            return work.get();
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Leases the class loader of every started plugin, for a build that starts now; give them back with
     * {@link LeasedClassLoader#release()}. Call inside {@link #whileStable}, together with reading the extensions the
     * build will use.
     */
    List<LeasedClassLoader> leaseStarted() {
        var leased = new ArrayList<LeasedClassLoader>();
        for (PluginWrapper plugin : manager().getStartedPlugins()) {
            if (plugin.getPluginClassLoader() instanceof LeasedClassLoader loader && loader.lease()) {
                leased.add(loader);
            }
        }
        return leased;
    }

    /** Every plugin found, loaded or not, as the plugin manager page shows it. */
    public List<PluginInfo> plugins() {
        return whileStable(() -> {
            var result = new ArrayList<PluginInfo>();
            for (PluginWrapper plugin : manager().getPlugins()) {
                result.add(infoOf(plugin));
            }
            for (NotLoaded plugin : notLoaded.values()) {
                result.add(new PluginInfo(plugin.id(), plugin.version(), "FAILED", plugin.provider(),
                        plugin.description(), plugin.license(), plugin.error(), "*",
                        plugin.dependencies().stream().map(Dependency::of).toList(),
                        !manager.status().isPluginDisabled(plugin.id())));
            }
            result.sort(Comparator.comparing(PluginInfo::id));
            return List.copyOf(result);
        });
    }

    public Optional<PluginInfo> plugin(String id) {
        return plugins().stream().filter(p -> p.id().equals(id)).findFirst();
    }

    PluginArchive.Limits limits() {
        return limits;
    }

    /** A new file in the plugins' staging area, for an upload or a download to go to. */
    Path newUploadFile() throws IOException {
        return folders.newUploadFile();
    }

    /** The core's version, as plugin.requires is checked against it. */
    public String systemVersion() {
        return PluginVersions.release(facts.version());
    }

    /** The plugin that loaded {@code type}, or {@code null} for the core's own classes. */
    String pluginIdOf(Class<?> type) {
        return type.getClassLoader() instanceof LeasedClassLoader loader ? loader.pluginId() : null;
    }

    /**
     * Installs a zip, or upgrades the plugin of its id: checks it (see {@link PluginArchive}), its required core
     * version and its dependencies, then loads and starts it without a restart. A new plugin that fails to start stays
     * installed, marked failed. An upgrade that fails to start is rolled back to the previous version.
     *
     * @param zip       the zip; it is moved away, whatever happens
     * @param expectId  when not null, the id the zip must have (an update-site install), with {@code expectVersion}
     * @return the plugin as it is now, and the version it replaced (null for a new plugin)
     * @throws UserFacingException 400 for a zip that is refused, 409 for a plugin that cannot be installed here
     */
    public Installed install(Path zip, String expectId, String expectVersion) throws IOException {
        PluginFolders.Staged staged = folders.stage(zip);
        try {
            PluginArchive.Descriptor descriptor = staged.descriptor();
            if (expectId != null && (!descriptor.id().equals(expectId)
                    || !descriptor.version().equals(expectVersion))) {
                throw UserFacingException.invalid("file", "The zip holds plugin '" + descriptor.id() + "' "
                        + descriptor.version() + ", not '" + expectId + "' " + expectVersion + " as the update site"
                        + " said; it is refused.");
            }
            lock.writeLock().lock();
            try {
                checkInstallable(descriptor);
                PluginWrapper existing = manager().getPlugin(descriptor.id());
                if (existing == null) {
                    return new Installed(installNew(staged), null);
                }
                String previous = existing.getDescriptor().getVersion();
                return new Installed(upgrade(existing, staged), previous);
            } finally {
                lock.writeLock().unlock();
            }
        } finally {
            folders.discard(staged);
        }
    }

    /** What an install did. */
    public record Installed(PluginInfo plugin, String replacedVersion) {
    }

    /**
     * Starts a disabled plugin (and records that it is enabled); for a failed one, loads it afresh and tries again.
     *
     * @throws UserFacingException 404 for an unknown plugin, 409 when a plugin it needs is not running
     */
    public PluginInfo enable(String id) {
        lock.writeLock().lock();
        try {
            NotLoaded waiting = notLoaded.get(id);
            if (waiting != null && manager().getPlugin(id) == null) {
                if (!Files.isDirectory(waiting.path())) {
                    throw UserFacingException.conflict("'" + id + "' could not be unpacked: " + waiting.error()
                            + " Upload a working zip, or uninstall it.");
                }
                notLoaded.remove(id);
                manager.status().enablePlugin(id);
                loadAndResolve(waiting.path());
            }
            PluginWrapper plugin = existing(id);
            for (PluginDependency dependency : plugin.getDescriptor().getDependencies()) {
                PluginWrapper needed = manager.getPlugin(dependency.getPluginId());
                if (!dependency.isOptional() && (needed == null || needed.getPluginState() == PluginState.DISABLED)) {
                    throw UserFacingException.conflict("Plugin '" + id + "' needs plugin '"
                            + dependency.getPluginId() + "', which is " + (needed == null ? "not installed"
                            : "disabled") + ". Enable or install that first.");
                }
            }
            manager.status().enablePlugin(id);
            if (plugin.getPluginState() == PluginState.DISABLED) {
                manager.enablePlugin(id);
            } else if (plugin.getPluginState() != PluginState.STARTED) {
                // failed: a fresh class loader, so nothing the failed start left behind stays
                Path path = plugin.getPluginPath();
                List<PluginWrapper> dependents = loadedDependents(id);
                manager.unloadPlugin(id);
                loadAndResolve(path);
                for (PluginWrapper dependent : dependents) {
                    loadAndResolve(dependent.getPluginPath());
                }
            }
            startIfEnabled(id);
            return infoOf(existing(id));
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Stops a plugin and records it as disabled, so it stays disabled after a restart. Refused while enabled plugins
     * depend on it, unless {@code withDependents}: then they are disabled first.
     */
    public List<String> disable(String id, boolean withDependents) {
        lock.writeLock().lock();
        try {
            if (manager().getPlugin(id) == null && notLoaded.containsKey(id)) {
                throw UserFacingException.conflict("Plugin '" + id + "' is not loaded; there is nothing to disable."
                        + " Uninstall it, or install what it needs.");
            }
            existing(id);
            List<PluginWrapper> dependents = loadedDependents(id).stream()
                    .filter(p -> p.getPluginState() != PluginState.DISABLED).toList();
            if (!dependents.isEmpty() && !withDependents) {
                throw UserFacingException.conflict("Plugin '" + id + "' is needed by " + names(dependents)
                        + ". Disable " + (dependents.size() == 1 ? "it" : "them") + " first, or disable them"
                        + " together (withDependents=true).");
            }
            var disabled = new ArrayList<String>();
            for (PluginWrapper dependent : reversed(dependents)) {
                manager.disablePlugin(dependent.getPluginId());
                disabled.add(dependent.getPluginId());
            }
            manager.disablePlugin(id);
            disabled.add(id);
            return disabled;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Unloads a plugin and deletes its zip; its folder goes once no running build uses it. Its data in
     * {@code plugin-data/<id>} stays. Refused while other plugins depend on it, unless {@code withDependents}: then
     * they are uninstalled too.
     *
     * @return the ids uninstalled
     */
    public List<String> uninstall(String id, boolean withDependents) {
        lock.writeLock().lock();
        try {
            if (manager().getPlugin(id) == null && !notLoaded.containsKey(id)) {
                throw UserFacingException.notFound("No plugin '" + id + "' is installed.");
            }
            List<String> dependents = new ArrayList<>(loadedDependents(id).stream().map(PluginWrapper::getPluginId)
                    .toList());
            for (NotLoaded waiting : notLoaded.values()) {
                if (waiting.dependencies().stream().anyMatch(d -> d.getPluginId().equals(id))
                        && !dependents.contains(waiting.id())) {
                    dependents.add(waiting.id());
                }
            }
            if (!dependents.isEmpty() && !withDependents) {
                throw UserFacingException.conflict("Plugin '" + id + "' is needed by " + String.join(", ",
                        dependents.stream().map(d -> "'" + d + "'").toList()) + ". Uninstall "
                        + (dependents.size() == 1 ? "it" : "them") + " first, or uninstall them together"
                        + " (withDependents=true).");
            }
            var removed = new ArrayList<String>();
            for (String dependent : reversed(dependents)) {
                removeOne(dependent);
                removed.add(dependent);
            }
            removeOne(id);
            removed.add(id);
            return removed;
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void removeOne(String id) {
        NotLoaded waiting = notLoaded.remove(id);
        PluginWrapper plugin = manager.getPlugin(id);
        manager.status().enablePlugin(id); // a later install of the same id starts enabled
        if (plugin == null) {
            if (waiting != null) {
                String zip = folders.zipNameOf(waiting.path());
                folders.deleteQuietly(zip != null ? folders.zipOf(zip) : waiting.path());
                if (zip != null) {
                    folders.deleteQuietly(waiting.path());
                }
            }
            return;
        }
        Path path = plugin.getPluginPath();
        String zip = folders.zipNameOf(path);
        PluginClassLoader loader = (PluginClassLoader) plugin.getPluginClassLoader();
        manager.unloadAlone(id);
        if (zip != null) {
            folders.deleteQuietly(folders.zipOf(zip));
        }
        whenClosed(loader, () -> folders.deleteQuietly(path));
        LOG.info("Plugin {} uninstalled", id);
    }

    private PluginInfo installNew(PluginFolders.Staged staged) throws IOException {
        String id = staged.descriptor().id();
        NotLoaded waiting = notLoaded.remove(id);
        String name = id;
        if (waiting != null) {
            // a broken or unresolved copy of the same plugin is replaced
            String zip = folders.zipNameOf(waiting.path());
            name = zip != null ? zip : id;
            folders.deleteQuietly(waiting.path()); // its loader closed when PF4J dropped it
        }
        Path folder = folders.place(staged, name);
        manager.status().enablePlugin(id);
        try {
            loadAndResolve(folder);
        } catch (RuntimeException e) {
            folders.deleteQuietly(folders.zipOf(name));
            folders.deleteQuietly(folder);
            notLoaded.remove(id);
            throw e instanceof UserFacingException refusal ? refusal
                    : UserFacingException.conflict("Plugin '" + id + "' could not be loaded: " + messageOf(e));
        }
        startIfEnabled(id);
        LOG.info("Plugin {} {} installed", id, staged.descriptor().version());
        return infoOf(existing(id));
    }

    private PluginInfo upgrade(PluginWrapper old, PluginFolders.Staged staged) throws IOException {
        String id = old.getPluginId();
        Path oldPath = old.getPluginPath();
        String name = folders.zipNameOf(oldPath);
        if (name == null) {
            throw UserFacingException.conflict("Plugin '" + id + "' was put into the plugins folder as a folder by"
                    + " hand; replace that folder by hand and restart, or uninstall it first.");
        }
        String newVersion = staged.descriptor().version();
        for (PluginWrapper dependent : loadedDependents(id)) {
            for (PluginDependency dependency : dependent.getDescriptor().getDependencies()) {
                if (dependency.getPluginId().equals(id)
                        && !PluginVersions.satisfies(newVersion, dependency.getPluginVersionSupport())) {
                    throw UserFacingException.conflict("Plugin '" + dependent.getPluginId() + "' needs '" + id + "' "
                            + dependency.getPluginVersionSupport() + "; " + newVersion + " would break it.");
                }
            }
        }
        String oldVersion = old.getDescriptor().getVersion();
        boolean enabled = !manager.status().isPluginDisabled(id);
        List<Path> dependentPaths = loadedDependents(id).stream().map(PluginWrapper::getPluginPath).toList();
        PluginClassLoader oldLoader = (PluginClassLoader) old.getPluginClassLoader();

        folders.keepPrevious(name);
        Path newPath = folders.place(staged, name);
        manager.unloadPlugin(id); // and its dependents, which are loaded again against the new version
        String failure = null;
        try {
            loadAndResolve(newPath);
            for (Path dependent : dependentPaths) {
                loadAndResolve(dependent);
            }
            startIfEnabled(id);
            PluginWrapper upgraded = manager.getPlugin(id);
            if (enabled && upgraded.getPluginState() != PluginState.STARTED) {
                failure = errorOf(upgraded);
            }
        } catch (RuntimeException e) {
            failure = messageOf(e);
        }
        if (failure == null) {
            folders.dropPrevious(name);
            whenClosed(oldLoader, () -> folders.deleteQuietly(oldPath));
            for (Path dependent : dependentPaths) {
                PluginWrapper loaded = byPath(dependent);
                if (loaded != null) {
                    startIfEnabled(loaded.getPluginId());
                }
            }
            LOG.info("Plugin {} upgraded from {} to {}", id, oldVersion, newVersion);
            return infoOf(existing(id));
        }

        LOG.warn("Upgrading plugin {} to {} failed ({}); going back to {}", id, newVersion, failure, oldVersion);
        if (manager.getPlugin(id) != null) {
            PluginClassLoader newLoader = (PluginClassLoader) manager.getPlugin(id).getPluginClassLoader();
            manager.unloadPlugin(id);
            whenClosed(newLoader, () -> folders.deleteQuietly(newPath));
        } else {
            folders.deleteQuietly(newPath);
        }
        notLoaded.remove(id);
        folders.restorePrevious(name);
        loadAndResolve(oldPath);
        for (Path dependent : dependentPaths) {
            if (byPath(dependent) == null) {
                loadAndResolve(dependent);
            }
        }
        startIfEnabled(id);
        for (Path dependent : dependentPaths) {
            PluginWrapper loaded = byPath(dependent);
            if (loaded != null) {
                startIfEnabled(loaded.getPluginId());
            }
        }
        throw new UserFacingException(409, UPGRADE_ROLLED_BACK, "Upgrading plugin '" + id + "' to " + newVersion
                + " failed: " + failure + " Version " + oldVersion + " is running again.", null);
    }

    /** Refuses a plugin this server cannot run: the core version it needs, plugins it needs that are not running. */
    private void checkInstallable(PluginArchive.Descriptor descriptor) {
        if (!PluginVersions.satisfies(systemVersion(), descriptor.requires())) {
            throw UserFacingException.conflict("Plugin '" + descriptor.id() + "' " + descriptor.version()
                    + " needs Miaobu " + descriptor.requires() + "; this server is " + systemVersion() + ".");
        }
        for (PluginDependency dependency : descriptor.dependencies()) {
            if (dependency.isOptional()) {
                continue;
            }
            PluginWrapper needed = manager().getPlugin(dependency.getPluginId());
            String range = dependency.getPluginVersionSupport();
            String wanted = "'" + dependency.getPluginId() + "'" + ("*".equals(range) ? "" : " " + range);
            if (needed == null) {
                throw UserFacingException.conflict("Plugin '" + descriptor.id() + "' needs plugin " + wanted
                        + ", which is not installed. Install it first.");
            }
            if (!PluginVersions.satisfies(needed.getDescriptor().getVersion(), range)) {
                throw UserFacingException.conflict("Plugin '" + descriptor.id() + "' needs plugin " + wanted
                        + ", but version " + needed.getDescriptor().getVersion() + " is installed.");
            }
            if (needed.getPluginState() != PluginState.STARTED) {
                throw UserFacingException.conflict("Plugin '" + descriptor.id() + "' needs plugin " + wanted
                        + ", which is " + (needed.getPluginState() == PluginState.DISABLED ? "disabled"
                        : "not running") + ". Enable it first.");
            }
        }
    }

    /**
     * Loads one plugin folder and resolves its dependencies.
     *
     * @throws UserFacingException 409 when PF4J drops it (a dependency missing or of the wrong version)
     */
    private void loadAndResolve(Path folder) {
        String id = manager.load(folder).getPluginId();
        resolve();
        NotLoaded refused = notLoaded.get(id);
        if (manager.getPlugin(id) == null && refused != null) {
            throw UserFacingException.conflict(refused.error());
        }
    }

    /** Resolves PF4J's dependency graph; plugins it drops are kept as "not loaded" with the reason in words. */
    private void resolve() {
        dropped.clear();
        manager.resolve();
        List<PluginWrapper> droppedNow = List.copyOf(dropped);
        dropped.clear();
        Set<String> droppedIds = new LinkedHashSet<>();
        droppedNow.forEach(p -> droppedIds.add(p.getPluginId()));
        for (PluginWrapper plugin : droppedNow) {
            String reason = whyUnresolved(plugin.getDescriptor(), droppedIds);
            LOG.warn("Plugin {} was not loaded: {}", plugin.getPluginId(), reason);
            notLoaded.put(plugin.getPluginId(), NotLoaded.of(plugin, reason));
        }
    }

    private String whyUnresolved(PluginDescriptor descriptor, Set<String> droppedIds) {
        for (PluginDependency dependency : descriptor.getDependencies()) {
            if (dependency.isOptional()) {
                continue;
            }
            String range = dependency.getPluginVersionSupport();
            String wanted = "'" + dependency.getPluginId() + "'" + ("*".equals(range) ? "" : " " + range);
            PluginWrapper needed = manager.getPlugin(dependency.getPluginId());
            if (droppedIds.contains(dependency.getPluginId())) {
                return "Needs plugin " + wanted + ", which could not be loaded either.";
            }
            if (needed == null) {
                return "Needs plugin " + wanted + ", which is not installed.";
            }
            if (!PluginVersions.satisfies(needed.getDescriptor().getVersion(), range)) {
                return "Needs plugin " + wanted + ", but version " + needed.getDescriptor().getVersion()
                        + " is installed.";
            }
        }
        return "Its dependencies could not be resolved.";
    }

    private void startIfEnabled(String id) {
        PluginWrapper plugin = manager.getPlugin(id);
        if (plugin != null && !manager.status().isPluginDisabled(id)
                && plugin.getPluginState() != PluginState.STARTED && plugin.getPluginState() != PluginState.DISABLED) {
            manager.startPlugin(id);
        }
    }

    /** The loaded plugins that depend on {@code id}, directly or not, nearest first. */
    private List<PluginWrapper> loadedDependents(String id) {
        var result = new ArrayList<PluginWrapper>();
        var seen = new LinkedHashSet<String>();
        var queue = new ArrayDeque<String>(List.of(id));
        while (!queue.isEmpty()) {
            String current = queue.poll();
            for (PluginWrapper plugin : manager.getPlugins()) {
                boolean depends = plugin.getDescriptor().getDependencies().stream()
                        .anyMatch(d -> d.getPluginId().equals(current));
                if (depends && seen.add(plugin.getPluginId())) {
                    result.add(plugin);
                    queue.add(plugin.getPluginId());
                }
            }
        }
        return result;
    }

    private PluginWrapper byPath(Path path) {
        return manager.getPlugins().stream().filter(p -> p.getPluginPath().equals(path)).findFirst().orElse(null);
    }

    private PluginWrapper existing(String id) {
        PluginWrapper plugin = manager().getPlugin(id);
        if (plugin == null) {
            throw UserFacingException.notFound("No plugin '" + id + "' is installed.");
        }
        return plugin;
    }

    private void stateChanged(PluginStateEvent event) {
        PluginWrapper plugin = event.getPlugin();
        if (plugin.getPluginState() != PluginState.STARTED) {
            manager.extensionFactory.forget(plugin.getPluginClassLoader());
        }
        if (plugin.getPluginState() == PluginState.UNLOADED && lock.isWriteLockedByCurrentThread()) {
            dropped.add(plugin);
        }
        changeListeners.forEach(Runnable::run);
    }

    private PluginInfo infoOf(PluginWrapper plugin) {
        PluginDescriptor descriptor = plugin.getDescriptor();
        boolean enabled = !manager.status().isPluginDisabled(plugin.getPluginId());
        String state = switch (plugin.getPluginState()) {
            case STARTED -> "STARTED";
            case DISABLED -> enabled ? "FAILED" : "DISABLED"; // PF4J disables a plugin whose plugin.requires fails
            default -> "FAILED";
        };
        return new PluginInfo(plugin.getPluginId(), descriptor.getVersion(), state,
                nullToEmpty(descriptor.getProvider()), nullToEmpty(descriptor.getPluginDescription()),
                nullToEmpty(descriptor.getLicense()), state.equals("FAILED") ? errorOf(plugin) : "",
                descriptor.getRequires() == null || descriptor.getRequires().isBlank() ? "*" : descriptor.getRequires(),
                descriptor.getDependencies().stream().map(Dependency::of).toList(), enabled);
    }

    private String errorOf(PluginWrapper plugin) {
        String requires = plugin.getDescriptor().getRequires();
        if (requires != null && !PluginVersions.satisfies(systemVersion(), requires)) {
            return "Needs Miaobu " + requires + "; this server is " + systemVersion() + ".";
        }
        Throwable failure = plugin.getFailedException();
        if (failure != null) {
            return "Failed to start: " + messageOf(failure);
        }
        return plugin.getPluginState() == PluginState.STARTED ? "" : "Not started ("
                + plugin.getPluginState().toString().toLowerCase(java.util.Locale.ROOT) + ").";
    }

    private static String messageOf(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause && (cause.getMessage() == null
                || cause instanceof java.lang.reflect.InvocationTargetException)) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }

    private static void whenClosed(PluginClassLoader loader, Runnable action) {
        if (loader instanceof LeasedClassLoader leased) {
            leased.whenClosed(action);
        } else {
            action.run();
        }
    }

    /** Farthest dependents first, so none is left running without what it needs. */
    private static <T> List<T> reversed(List<T> list) {
        var copy = new ArrayList<T>(list);
        java.util.Collections.reverse(copy);
        return copy;
    }

    private static String names(List<PluginWrapper> plugins) {
        return String.join(", ", plugins.stream().map(p -> "'" + p.getPluginId() + "'").toList());
    }

    private HostInfo hostInfoFor(Class<?> type, HostFacts facts, Path pluginDataDirectory) {
        String plugin = pluginIdOf(type);
        String owner = plugin == null ? "core" : plugin;
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

    /**
     * One plugin as the plugin manager shows it.
     *
     * @param state        {@code STARTED}, {@code DISABLED} (by an admin) or {@code FAILED} (see {@code error})
     * @param requires     the core versions it runs on
     * @param dependencies the plugins it needs
     * @param enabled      whether an admin left it enabled (a failed plugin may be enabled)
     */
    public record PluginInfo(String id, String version, String state, String provider, String description,
                             String license, String error, String requires, List<Dependency> dependencies,
                             boolean enabled) {
    }

    /** A plugin another needs, with the versions it accepts ({@code *}: any). */
    public record Dependency(String id, String versions, boolean optional) {
        static Dependency of(PluginDependency dependency) {
            return new Dependency(dependency.getPluginId(), dependency.getPluginVersionSupport(),
                    dependency.isOptional());
        }
    }

    /** A plugin found but not loaded. */
    private record NotLoaded(String id, String version, String description, String provider, String license,
                             List<PluginDependency> dependencies, Path path, String error) {
        static NotLoaded of(PluginWrapper plugin, String error) {
            PluginDescriptor d = plugin.getDescriptor();
            return new NotLoaded(plugin.getPluginId(), d.getVersion(), nullToEmpty(d.getPluginDescription()),
                    nullToEmpty(d.getProvider()), nullToEmpty(d.getLicense()), List.copyOf(d.getDependencies()),
                    plugin.getPluginPath(), error);
        }

        static NotLoaded of(Path folder, String error) {
            return new NotLoaded(folder.getFileName().toString(), "", "", "", "", List.of(), folder, error);
        }
    }

    private static final class MiaobuPluginManager extends DefaultPluginManager {
        // Set right after construction: PF4J calls the create*() factories inside its own constructor, before
        // subclass fields exist, so the factory is returned from getExtensionFactory() instead.
        private HostExtensionFactory extensionFactory;

        MiaobuPluginManager(Path pluginsRoot) {
            super(pluginsRoot);
            // a plugin whose dependency is missing is dropped, not the whole set (PluginHost says why)
            setResolveRecoveryStrategy(ResolveRecoveryStrategy.IGNORE_PLUGIN_AND_CONTINUE);
        }

        @Override
        public ExtensionFactory getExtensionFactory() {
            return extensionFactory;
        }

        /** Zips are checked and unpacked by {@link PluginFolders}; PF4J's repository is not used. */
        @Override
        protected PluginRepository createPluginRepository() {
            return new PluginRepository() {
                public List<Path> getPluginPaths() {
                    return List.of();
                }

                public boolean deletePluginPath(Path pluginPath) {
                    return false;
                }
            };
        }

        /** Plugin folders only (plugin.properties, lib/ and classes/), each with a {@link LeasedClassLoader}. */
        @Override
        protected PluginLoader createPluginLoader() {
            return new DefaultPluginLoader(this) {
                @Override
                protected PluginClassLoader createPluginClassLoader(Path pluginPath, PluginDescriptor descriptor) {
                    return new LeasedClassLoader(pluginManager, descriptor, PluginHost.class.getClassLoader());
                }
            };
        }

        PluginWrapper load(Path folder) {
            return loadPluginFromPath(folder);
        }

        void resolve() {
            resolvePlugins();
        }

        boolean unloadAlone(String id) {
            return unloadPlugin(id, false, true);
        }

        org.pf4j.PluginStatusProvider status() {
            return pluginStatusProvider;
        }
    }
}
